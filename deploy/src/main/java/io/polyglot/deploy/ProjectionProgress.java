package io.polyglot.deploy;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How far the projection worker is behind the log, read from its Prometheus metrics: {@code polyglot_consumer_lag}
 * and {@code polyglot_projection_last_applied_event_age_seconds}, per partition it owns.
 *
 * @param lag the records of all its partitions not yet applied to the read model
 * @param partitions per partition number, its lag and how long ago its last applied event was recorded
 */
public record ProjectionProgress(long lag, Map<Integer, Partition> partitions) {

    static final String LAG = "polyglot_consumer_lag";
    static final String AGE = "polyglot_projection_last_applied_event_age_seconds";

    private static final Pattern SAMPLE = Pattern.compile("^([a-z_]+)\\{([^}]*)}\\s+(\\S+)");
    private static final Pattern PARTITION_LABEL = Pattern.compile("(?:^|,)partition=\"(\\d+)\"");

    public ProjectionProgress {
        // In partition order, which status --json keeps.
        partitions = Collections.unmodifiableMap(new TreeMap<>(partitions));
    }

    /**
     * One partition.
     *
     * @param lag records not yet applied
     * @param lastAppliedEventAgeSeconds seconds since its last applied event was recorded; null before the first
     */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record Partition(long lag, Double lastAppliedEventAgeSeconds) {}

    /** Reads the progress from a {@code /metrics} page; empty when it has neither meter. */
    static Optional<ProjectionProgress> fromMetrics(String page) {
        Map<Integer, Long> lags = new TreeMap<>();
        Map<Integer, Double> ages = new TreeMap<>();
        for (String line : page.split("\n")) {
            Matcher sample = SAMPLE.matcher(line);
            if (!sample.find()) {
                continue;
            }
            Matcher partition = PARTITION_LABEL.matcher(sample.group(2));
            if (!partition.find()) {
                continue;
            }
            int number = Integer.parseInt(partition.group(1));
            double value = Double.parseDouble(sample.group(3));
            if (sample.group(1).equals(LAG)) {
                lags.put(number, (long) value);
            } else if (sample.group(1).equals(AGE)) {
                ages.put(number, Double.isNaN(value) ? null : value);
            }
        }
        if (lags.isEmpty() && ages.isEmpty()) {
            return Optional.empty();
        }
        Map<Integer, Partition> partitions = new TreeMap<>();
        lags.forEach((number, lag) -> partitions.put(number, new Partition(lag, ages.get(number))));
        ages.forEach((number, age) -> partitions.putIfAbsent(number, new Partition(0, age)));
        long total = lags.values().stream().mapToLong(Long::longValue).sum();
        return Optional.of(new ProjectionProgress(total, partitions));
    }

    /** The age of the most recently applied event of any partition, if one was applied. */
    OptionalDouble freshestEventAgeSeconds() {
        return partitions.values().stream()
                .map(Partition::lastAppliedEventAgeSeconds)
                .filter(age -> age != null)
                .mapToDouble(Double::doubleValue)
                .min();
    }

    /** A short summary for the status table, e.g. {@code lag 0, last event 2.5 s ago}. */
    String summary() {
        OptionalDouble age = freshestEventAgeSeconds();
        return "lag " + lag + ", "
                + (age.isPresent()
                        ? String.format(Locale.ROOT, "last event %.1f s ago", age.getAsDouble())
                        : "no event applied");
    }
}
