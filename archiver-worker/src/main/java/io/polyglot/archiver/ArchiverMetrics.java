package io.polyglot.archiver;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The archiver's own meters: {@code polyglot_events_archived_total{aggregate_type}} (events in segments the store
 * holds), {@code polyglot_segments_sealed_total{aggregate_type}} (segments cut and written to the warm tier),
 * {@code polyglot_consumer_lag{group,partition}} (end of the partition minus the committed offset),
 * {@code polyglot_archiver_open_events{group}} (events read but not yet durably stored),
 * {@code polyglot_archiver_buffered_bytes{group}} (their bytes), {@code polyglot_archiver_paused_partitions{group}},
 * {@code polyglot_dead_letters_total{group,reason}} (records sent to {@code events.dlq}, by kind),
 * {@code polyglot_dead_letter_failures_total{group}} (dead letters Kafka did not take; the record is read again
 * later), {@code polyglot_archive_divergences_total{aggregate_type}}
 * (a stored segment holds the same offsets with other bytes) and
 * {@code polyglot_archive_other_cuts_total{aggregate_type}} (another writer cut a chain differently; the archiver
 * resumed from storage).
 */
final class ArchiverMetrics {

    private final MeterRegistry registry;
    private final String group;
    private final Map<Integer, AtomicLong> lags = new ConcurrentHashMap<>();
    private final AtomicLong openEvents = new AtomicLong();
    private final AtomicLong bufferedBytes = new AtomicLong();
    private final AtomicLong pausedPartitions = new AtomicLong();

    ArchiverMetrics(MeterRegistry registry, String group) {
        this.registry = registry;
        this.group = group;
        Gauge.builder("polyglot.archiver.open.events", openEvents, AtomicLong::get)
                .description("Events read but not yet in a durably stored segment")
                .tag("group", group)
                .register(registry);
        Gauge.builder("polyglot.archiver.buffered.bytes", bufferedBytes, AtomicLong::get)
                .description("Bytes of events in open segments and in sealed segments that wait for upload")
                .tag("group", group)
                .register(registry);
        Gauge.builder("polyglot.archiver.paused.partitions", pausedPartitions, AtomicLong::get)
                .description("Partitions the archiver does not read now: buffer bound reached, chain ends unknown,"
                        + " or diverged")
                .tag("group", group)
                .register(registry);
    }

    void bufferedBytes(long bytes) {
        bufferedBytes.set(bytes);
    }

    void pausedPartitions(int count) {
        pausedPartitions.set(count);
    }

    void openEvents(long count) {
        openEvents.set(count);
    }

    void eventsArchived(String aggregateType, int count) {
        Counter.builder("polyglot.events.archived")
                .description("Events in segments the archive store holds")
                .tag("aggregate_type", aggregateType)
                .register(registry)
                .increment(count);
    }

    void segmentSealed(String aggregateType) {
        Counter.builder("polyglot.segments.sealed")
                .description("Segments sealed and written to the warm tier")
                .tag("aggregate_type", aggregateType)
                .register(registry)
                .increment();
    }

    void deadLetter(String reason) {
        Counter.builder("polyglot.dead.letters")
                .description("Records of events.all the archiver cannot archive, sent to events.dlq")
                .tag("group", group)
                .tag("reason", reason)
                .register(registry)
                .increment();
    }

    void deadLetterFailure() {
        Counter.builder("polyglot.dead.letter.failures")
                .description("Dead letters Kafka did not take; their records are read again later")
                .tag("group", group)
                .register(registry)
                .increment();
    }

    void divergence(String aggregateType) {
        Counter.builder("polyglot.archive.divergences")
                .description("Segment keys that already held the same offsets with a different SHA-256")
                .tag("aggregate_type", aggregateType)
                .register(registry)
                .increment();
    }

    void otherCut(String aggregateType) {
        Counter.builder("polyglot.archive.other.cuts")
                .description("Segment keys taken by another writer's cut; the chain was resumed from storage")
                .tag("aggregate_type", aggregateType)
                .register(registry)
                .increment();
    }

    void lag(int partition, long lag) {
        lags.computeIfAbsent(partition, p -> {
                    AtomicLong value = new AtomicLong();
                    Gauge.builder("polyglot.consumer.lag", value, AtomicLong::get)
                            .description("Events of the partition after the committed offset")
                            .tag("group", group)
                            .tag("partition", Integer.toString(p))
                            .register(registry);
                    return value;
                })
                .set(lag);
    }
}
