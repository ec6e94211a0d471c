package io.polyglot.projection;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The worker's meters: {@code polyglot_events_projected_total{projection}}, {@code
 * polyglot_consumer_lag{group,partition}} for every partition it owns, {@code
 * polyglot_projection_records_skipped_total{reason}}, {@code polyglot_projection_batches_fenced_total}, {@code
 * polyglot_projection_dead_letters_total{reason}} ({@code undecodable}, or {@code refused} by PostgreSQL), the timer
 * {@code polyglot_projection_batch_seconds} and, per owned partition, {@code
 * polyglot_projection_last_applied_event_age_seconds{group,partition}}: how long ago the last applied event of the
 * partition was recorded (its record timestamp, {@code recordedAt}); NaN until one is applied.
 */
public final class ProjectionMetrics {

    /** A dead letter's reason: the record could not be decoded. */
    static final String UNDECODABLE = "undecodable";

    /** A dead letter's reason: PostgreSQL refused the record alone, attempt after attempt. */
    static final String REFUSED = "refused";

    private static final long NOTHING_APPLIED = Long.MIN_VALUE;

    private final MeterRegistry registry;
    private final String group;
    private final Map<String, Counter> projected = new ConcurrentHashMap<>();
    private final Map<SkipReason, Counter> skipped = new ConcurrentHashMap<>();
    private final Map<Integer, Lag> lags = new ConcurrentHashMap<>();
    private final Counter fenced;
    private final Map<String, Counter> deadLetters = new ConcurrentHashMap<>();
    private final Timer batches;
    private final Clock clock;

    public ProjectionMetrics(MeterRegistry registry, String group, Collection<String> projections, Clock clock) {
        this.registry = registry;
        this.group = group;
        this.clock = clock;
        for (String projection : projections) {
            projected.put(
                    projection,
                    Counter.builder("polyglot.events.projected")
                            .description("Events folded into a read model and committed")
                            .tag("projection", projection)
                            .register(registry));
        }
        for (SkipReason reason : SkipReason.values()) {
            skipped.put(
                    reason,
                    Counter.builder("polyglot.projection.records.skipped")
                            .description("Records passed over without being folded; their offsets still advance")
                            .tag("reason", reason.tag())
                            .register(registry));
        }
        this.fenced = Counter.builder("polyglot.projection.batches.fenced")
                .description("Batches rolled back because another instance had moved a partition's stored offset")
                .register(registry);
        for (String reason : new String[] {UNDECODABLE, REFUSED}) {
            deadLetters.put(
                    reason,
                    Counter.builder("polyglot.projection.dead.letters")
                            .description(
                                    "Records sent to the dead-letter topic for this group, by why they were given up")
                            .tag("reason", reason)
                            .register(registry));
        }
        this.batches = Timer.builder("polyglot.projection.batch")
                .description("Time to apply one batch (a poll's records of one group of partitions) to the read"
                        + " model, retries included")
                .register(registry);
    }

    /** Times the application of one batch. */
    <T> T timeBatch(Supplier<T> apply) {
        return batches.record(apply);
    }

    /** Counts the events a committed batch folded into each projection. */
    void projected(Map<String, Long> eventsPerProjection) {
        eventsPerProjection.forEach((projection, events) -> {
            Counter counter = projected.get(projection);
            if (counter != null && events > 0) {
                counter.increment(events);
            }
        });
    }

    void skipped(SkipReason reason) {
        skipped.get(reason).increment();
    }

    void fenced() {
        fenced.increment();
    }

    /** Counts a dead letter sent for {@code reason}, {@link #UNDECODABLE} or {@link #REFUSED}. */
    void deadLettered(String reason) {
        deadLetters.get(reason).increment();
    }

    /** Starts reporting the lag and the age of the last applied event of a partition the worker now owns. */
    void track(int partition) {
        lags.computeIfAbsent(partition, p -> {
            AtomicLong value = new AtomicLong();
            AtomicLong lastRecordedMillis = new AtomicLong(NOTHING_APPLIED);
            Gauge gauge = Gauge.builder("polyglot.consumer.lag", value, AtomicLong::get)
                    .description("Records of the partition not yet applied to the read model")
                    .tag("group", group)
                    .tag("partition", Integer.toString(p))
                    .register(registry);
            Gauge age = Gauge.builder(
                            "polyglot.projection.last.applied.event.age", lastRecordedMillis, this::ageSeconds)
                    .description("How long ago the partition's last applied event was recorded; NaN before the first")
                    .baseUnit("seconds")
                    .tag("group", group)
                    .tag("partition", Integer.toString(p))
                    .register(registry);
            return new Lag(gauge, value, age, lastRecordedMillis);
        });
    }

    /** Stops reporting a partition the worker no longer owns. */
    void untrack(int partition) {
        Lag lag = lags.remove(partition);
        if (lag != null) {
            registry.remove(lag.gauge());
            registry.remove(lag.age());
        }
    }

    void lag(int partition, long records) {
        Lag lag = lags.get(partition);
        if (lag != null) {
            lag.value().set(records);
        }
    }

    /** Notes the record timestamp of the last event of a partition that a committed batch applied. */
    void applied(int partition, long recordTimestampMillis) {
        Lag lag = lags.get(partition);
        if (lag != null) {
            lag.lastRecordedMillis().set(recordTimestampMillis);
        }
    }

    private double ageSeconds(AtomicLong lastRecordedMillis) {
        long recorded = lastRecordedMillis.get();
        return recorded == NOTHING_APPLIED ? Double.NaN : Math.max(0, clock.millis() - recorded) / 1000.0;
    }

    private record Lag(Gauge gauge, AtomicLong value, Gauge age, AtomicLong lastRecordedMillis) {}
}
