package io.polyglot.archiver;

import io.polyglot.archive.store.ArchivedEvent;
import io.polyglot.archive.store.SegmentKey;
import io.polyglot.archiver.SealedSegment.SealReason;
import io.polyglot.schemas.avro.EventEnvelope;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Groups events into segments, one open segment per chain (aggregate type and partition), and decides when each is
 * sealed: when it is full, when its chain has been idle for the idle time, or when its partition is released.
 *
 * <p>Time is whatever instant the caller passes, so tests move it by hand. Not thread-safe: the poll loop owns it.
 */
final class SegmentBuilder {

    private final int maxEvents;
    private final Duration maxIdle;
    private final Map<Chain, OpenSegment> open = new LinkedHashMap<>();
    private final Map<String, Long> storedThrough = new HashMap<>();

    SegmentBuilder(int maxEvents, Duration maxIdle) {
        if (maxEvents < 1) {
            throw new IllegalArgumentException("a segment holds at least one event, got " + maxEvents);
        }
        if (maxIdle.isNegative() || maxIdle.isZero()) {
            throw new IllegalArgumentException("the idle time must be positive, got " + maxIdle);
        }
        this.maxEvents = maxEvents;
        this.maxIdle = maxIdle;
    }

    /**
     * Records that storage already holds the chain with prefix {@code chainPrefix} up to {@code lastOffset}: events
     * of that chain at or before it are skipped instead of going into a second segment.
     */
    void resumeAfter(String chainPrefix, long lastOffset) {
        storedThrough.merge(chainPrefix, lastOffset, Math::max);
    }

    /**
     * Adds an event to the open segment of its chain, opening one if needed; an event storage already holds is
     * skipped.
     *
     * @return the segment this event filled, now sealed; empty while it has room
     * @throws IllegalArgumentException when the offset is not after the last one of its chain
     */
    Optional<SealedSegment> append(int partition, long offset, EventEnvelope event, Instant now) {
        Long stored = storedThrough.get(SegmentKey.chainPrefix(event.getAggregateType(), partition));
        if (stored != null && offset <= stored) {
            return Optional.empty();
        }
        Chain chain = new Chain(event.getAggregateType(), partition);
        OpenSegment segment = open.computeIfAbsent(chain, OpenSegment::new);
        segment.add(new ArchivedEvent(offset, event), now);
        if (segment.events.size() >= maxEvents) {
            open.remove(chain);
            return Optional.of(segment.seal(SealReason.FULL));
        }
        return Optional.empty();
    }

    /** Seals every segment whose chain has had no new event for at least the idle time. */
    List<SealedSegment> sealIdle(Instant now) {
        List<SealedSegment> sealed = new ArrayList<>();
        for (Iterator<OpenSegment> it = open.values().iterator(); it.hasNext(); ) {
            OpenSegment segment = it.next();
            if (!now.isBefore(segment.lastAppendAt.plus(maxIdle))) {
                it.remove();
                sealed.add(segment.seal(SealReason.IDLE));
            }
        }
        return sealed;
    }

    /** Seals every open segment of {@code partition}, whatever its size or age. */
    List<SealedSegment> sealPartition(int partition) {
        List<SealedSegment> sealed = new ArrayList<>();
        for (Iterator<OpenSegment> it = open.values().iterator(); it.hasNext(); ) {
            OpenSegment segment = it.next();
            if (segment.chain.partition() == partition) {
                it.remove();
                sealed.add(segment.seal(SealReason.RELEASED));
            }
        }
        return sealed;
    }

    /** Seals every open segment. */
    List<SealedSegment> sealAll() {
        List<SealedSegment> sealed = new ArrayList<>();
        open.values().forEach(segment -> sealed.add(segment.seal(SealReason.RELEASED)));
        open.clear();
        return sealed;
    }

    /** Forgets the open segments of {@code partition}; their events will be read again from Kafka. */
    int drop(int partition) {
        String partitionFolder = String.format("/p%03d/", partition);
        storedThrough.keySet().removeIf(prefix -> prefix.endsWith(partitionFolder));
        int dropped = 0;
        for (Iterator<OpenSegment> it = open.values().iterator(); it.hasNext(); ) {
            OpenSegment segment = it.next();
            if (segment.chain.partition() == partition) {
                dropped += segment.events.size();
                it.remove();
            }
        }
        return dropped;
    }

    /** The first offset of the oldest open segment of {@code partition}, empty when none is open. */
    OptionalLong oldestOpenOffset(int partition) {
        return open.values().stream()
                .filter(segment -> segment.chain.partition() == partition)
                .mapToLong(segment -> segment.events.get(0).offset())
                .min();
    }

    /** How many events wait in open segments. */
    int openEvents() {
        return open.values().stream().mapToInt(segment -> segment.events.size()).sum();
    }

    private static final class OpenSegment {
        private final Chain chain;
        private final List<ArchivedEvent> events = new ArrayList<>();
        private Instant lastAppendAt;

        OpenSegment(Chain chain) {
            this.chain = chain;
        }

        void add(ArchivedEvent event, Instant now) {
            if (!events.isEmpty()
                    && event.offset() <= events.get(events.size() - 1).offset()) {
                throw new IllegalArgumentException(
                        "offset " + event.offset() + " of " + chain + " is not after the last one, "
                                + events.get(events.size() - 1).offset());
            }
            events.add(event);
            lastAppendAt = now;
        }

        SealedSegment seal(SealReason reason) {
            SegmentKey key = SegmentKey.of(
                    chain.aggregateType(), chain.partition(), events.get(0).offset());
            return new SealedSegment(chain, key, events, reason);
        }
    }
}
