package io.polyglot.chaos;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The rows the loan views built from offers, work items and stages should hold, folded here from a {@link LogReference}
 * as the view comments of the read-model migration describe them, without the projection's code. Each row is a list
 * of column values in the view's column order, formatted as {@link ViewComparison} formats what the database returns:
 * times as {@link Instant#toString()}, numerics without trailing zeros, doubles by {@link Double#toString(double)},
 * and {@code null} for SQL nulls.
 */
final class LoanViewReference {

    private static final Set<String> OFFER_DECISIONS = Set.of("O_ACCEPTED", "O_DECLINED", "O_CANCELLED");
    private static final String SUBMITTED = "A_SUBMITTED";
    private static final double SECONDS_PER_HOUR = 3600;

    private LoanViewReference() {}

    /**
     * {@code loan_offers}: one row per {@code O_CREATED}, numbered 1, 2, 3 ... within the application by position;
     * {@code O_SELECTED} changes no offer created already; every other {@code O_} event sets the latest created
     * offer's status, and the first decision among them its decision time.
     */
    static List<List<String>> offers(LogReference loans) {
        List<List<String>> rows = new ArrayList<>();
        loans.cases().forEach((application, steps) -> {
            List<String[]> offers = new ArrayList<>();
            for (LogReference.Step step : steps) {
                String activity = step.activity();
                if (activity.equals("O_CREATED")) {
                    offers.add(new String[] {activity, time(step.occurredAt()), null});
                } else if (activity.startsWith("O_") && !activity.equals("O_SELECTED") && !offers.isEmpty()) {
                    String[] latest = offers.get(offers.size() - 1);
                    latest[0] = activity;
                    if (latest[2] == null && OFFER_DECISIONS.contains(activity)) {
                        latest[2] = time(step.occurredAt());
                    }
                }
            }
            for (int number = 1; number <= offers.size(); number++) {
                String[] offer = offers.get(number - 1);
                rows.add(Arrays.asList(application, Integer.toString(number), offer[0], offer[1], offer[2]));
            }
        });
        return rows;
    }

    /**
     * {@code loan_work_items}: per application and {@code W_} activity, one row per START (lifecycle compared without
     * case), scheduled at the latest SCHEDULE before it, completed by the next COMPLETE before the next START; a
     * COMPLETE with nothing open closes nothing.
     */
    static List<List<String>> workItems(LogReference loans) {
        List<List<String>> rows = new ArrayList<>();
        loans.cases().forEach((application, steps) -> {
            Map<String, Instant> lastSchedule = new HashMap<>();
            Map<String, Instant[]> open = new HashMap<>();
            List<Instant[]> starts = new ArrayList<>();
            List<String> names = new ArrayList<>();
            for (LogReference.Step step : steps) {
                if (!step.activity().startsWith("W_") || step.lifecycle() == null) {
                    continue;
                }
                String item = step.activity();
                switch (step.lifecycle().toUpperCase(Locale.ROOT)) {
                    case "SCHEDULE" -> lastSchedule.put(item, step.occurredAt());
                    case "START" -> {
                        Instant[] start = {lastSchedule.get(item), step.occurredAt(), null};
                        starts.add(start);
                        names.add(item);
                        open.put(item, start);
                    }
                    case "COMPLETE" -> {
                        Instant[] start = open.remove(item);
                        if (start != null) {
                            start[2] = step.occurredAt();
                        }
                    }
                    default -> {}
                }
            }
            for (int i = 0; i < starts.size(); i++) {
                Instant[] start = starts.get(i);
                String handling = start[2] == null ? null : seconds(Duration.between(start[1], start[2]));
                rows.add(Arrays.asList(
                        application, names.get(i), time(start[0]), time(start[1]), time(start[2]), handling));
            }
        });
        return rows;
    }

    /**
     * {@code loan_funnel}: per {@code A_} activity, how many applications reached it and the median
     * ({@code percentile_cont(0.5)}) of the hours from each application's first {@code A_SUBMITTED} to its first
     * occurrence of the stage, both by position; applications without {@code A_SUBMITTED} count but have no hours.
     */
    static List<List<String>> funnel(LogReference loans) {
        Map<String, long[]> applications = new TreeMap<>();
        Map<String, List<Double>> hours = new TreeMap<>();
        loans.cases().values().forEach(steps -> {
            Map<String, Instant> first = new LinkedHashMap<>();
            for (LogReference.Step step : steps) {
                if (step.activity().startsWith("A_")) {
                    first.putIfAbsent(step.activity(), step.occurredAt());
                }
            }
            Instant submitted = first.get(SUBMITTED);
            first.forEach((stage, at) -> {
                applications.computeIfAbsent(stage, s -> new long[1])[0]++;
                List<Double> values = hours.computeIfAbsent(stage, s -> new ArrayList<>());
                if (submitted != null) {
                    // the view casts the interval's epoch (exact, a numeric) to double precision, then divides
                    values.add(exactSeconds(Duration.between(submitted, at)).doubleValue() / SECONDS_PER_HOUR);
                }
            });
        });
        List<List<String>> rows = new ArrayList<>();
        applications.forEach(
                (stage, count) -> rows.add(Arrays.asList(stage, Long.toString(count[0]), median(hours.get(stage)))));
        return rows;
    }

    /** {@code percentile_cont(0.5)} as PostgreSQL computes it for doubles: {@code lo + 0.5 * (hi - lo)}. */
    static String median(List<Double> values) {
        if (values.isEmpty()) {
            return null;
        }
        double[] sorted =
                values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        double position = 0.5 * (sorted.length - 1);
        int lower = (int) Math.floor(position);
        int upper = (int) Math.ceil(position);
        double value =
                lower == upper ? sorted[lower] : sorted[lower] + (position - lower) * (sorted[upper] - sorted[lower]);
        return Double.toString(value);
    }

    private static String time(Instant instant) {
        return instant == null ? null : instant.toString();
    }

    private static BigDecimal exactSeconds(Duration duration) {
        return BigDecimal.valueOf(duration.getSeconds()).add(BigDecimal.valueOf(duration.getNano(), 9));
    }

    private static String seconds(Duration duration) {
        return exactSeconds(duration).stripTrailingZeros().toPlainString();
    }
}
