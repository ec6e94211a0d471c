package io.polyglot.archiver;

import io.polyglot.archive.store.SegmentKey;
import io.polyglot.archiver.SealedSegment.SealReason;
import io.polyglot.schemas.EventCodec;
import io.polyglot.schemas.avro.EventEnvelope;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.IntPredicate;
import java.util.stream.Stream;

/**
 * Groups events into segments, one open segment per chain (aggregate type and partition), and decides when each is
 * sealed: when it is full, when its chain has been idle for the idle time, or when its partition is released.
 *
 * <p>Each open segment streams its events into a {@link SegmentJournal} under the journal directory as they arrive,
 * so memory holds offsets and fingerprints, not events. Journals a crashed run left behind are deleted at start:
 * nothing committed depends on them.
 *
 * <p>Time is whatever instant the caller passes, so tests move it by hand. Not thread-safe: the poll loop owns it.
 */
final class SegmentBuilder {

    private static final EventCodec CODEC = EventCodec.standard();

    private final int maxEvents;
    private final Duration maxIdle;
    private final Path journalDir;
    private final Map<Chain, OpenSegment> open = new LinkedHashMap<>();
    private final Map<String, Long> storedThrough = new HashMap<>();

    SegmentBuilder(int maxEvents, Duration maxIdle, Path journalDir) {
        if (maxEvents < 1) {
            throw new IllegalArgumentException("a segment holds at least one event, got " + maxEvents);
        }
        if (maxIdle.isNegative() || maxIdle.isZero()) {
            throw new IllegalArgumentException("the idle time must be positive, got " + maxIdle);
        }
        this.maxEvents = maxEvents;
        this.maxIdle = maxIdle;
        this.journalDir = journalDir;
        deleteLeftJournals(journalDir);
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
        return append(partition, offset, event, now, now);
    }

    /**
     * Like {@link #append(int, long, EventEnvelope, Instant)}, for an event that Kafka stored at {@code recordTime}:
     * the chain counts as idle from that time on once its partition is read to its end, so an event read again by a
     * new owner does not restart the idle time.
     */
    Optional<SealedSegment> append(int partition, long offset, EventEnvelope event, Instant recordTime, Instant now) {
        Long stored = storedThrough.get(SegmentKey.chainPrefix(event.getAggregateType(), partition));
        if (stored != null && offset <= stored) {
            return Optional.empty();
        }
        Chain chain = new Chain(event.getAggregateType(), partition);
        OpenSegment segment = open.computeIfAbsent(chain, c -> new OpenSegment(c, offset, journalDir));
        segment.add(offset, event, recordTime, now);
        if (segment.journal.count() >= maxEvents) {
            open.remove(chain);
            return Optional.of(segment.seal(SealReason.FULL));
        }
        return Optional.empty();
    }

    /** Seals every segment whose chain has had no new event for at least the idle time since it was read. */
    List<SealedSegment> sealIdle(Instant now) {
        return sealIdle(now, partition -> false);
    }

    /**
     * Seals every segment whose chain has had no new event for at least the idle time: since its last event was
     * read, or, when {@code readToEnd} says its partition has no record left to read, since Kafka stored that event.
     * The second rule keeps sealing from stalling while partitions move between instances: each new owner reads the
     * open events again, and their record time, unlike their reading time, does not start over.
     */
    List<SealedSegment> sealIdle(Instant now, IntPredicate readToEnd) {
        List<SealedSegment> sealed = new ArrayList<>();
        for (Iterator<OpenSegment> it = open.values().iterator(); it.hasNext(); ) {
            OpenSegment segment = it.next();
            boolean idleSinceRead = !now.isBefore(segment.lastAppendAt.plus(maxIdle));
            boolean idleSinceStored =
                    !now.isBefore(segment.lastRecordTime.plus(maxIdle)) && readToEnd.test(segment.chain.partition());
            if (idleSinceRead || idleSinceStored) {
                it.remove();
                sealed.add(segment.seal(SealReason.IDLE));
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

    /** Seals the open segments of {@code partition}, which this instance is about to release. */
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

    /** Forgets the open segments of {@code partition}; their events will be read again from Kafka. */
    int drop(int partition) {
        String partitionFolder = "/" + SegmentKey.partitionFolder(partition);
        storedThrough.keySet().removeIf(prefix -> prefix.endsWith(partitionFolder));
        int dropped = 0;
        for (Iterator<OpenSegment> it = open.values().iterator(); it.hasNext(); ) {
            OpenSegment segment = it.next();
            if (segment.chain.partition() == partition) {
                dropped += segment.journal.count();
                segment.journal.discard();
                it.remove();
            }
        }
        return dropped;
    }

    /** The first offset of the oldest open segment of {@code partition}, empty when none is open. */
    OptionalLong oldestOpenOffset(int partition) {
        return open.values().stream()
                .filter(segment -> segment.chain.partition() == partition)
                .mapToLong(segment -> segment.journal.firstOffset())
                .min();
    }

    /** How many events wait in open segments. */
    int openEvents() {
        return open.values().stream()
                .mapToInt(segment -> segment.journal.count())
                .sum();
    }

    /** How many events wait in the open segments of {@code partition}. */
    int openEvents(int partition) {
        return open.values().stream()
                .filter(segment -> segment.chain.partition() == partition)
                .mapToInt(segment -> segment.journal.count())
                .sum();
    }

    /** How many bytes the open segments' events take, encoded. */
    long openBytes() {
        return open.values().stream()
                .mapToLong(segment -> segment.journal.bytes())
                .sum();
    }

    private static void deleteLeftJournals(Path dir) {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                if (!file.equals(dir)) {
                    Files.delete(file);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot clear the journals of a previous run in " + dir, e);
        }
    }

    private static final class OpenSegment {
        private final Chain chain;
        private final SegmentKey key;
        private final SegmentJournal journal;
        private Instant lastAppendAt;
        private Instant lastRecordTime;

        OpenSegment(Chain chain, long firstOffset, Path journalDir) {
            this.chain = chain;
            this.key = SegmentKey.of(chain.aggregateType(), chain.partition(), firstOffset);
            this.journal = SegmentJournal.create(journalDir.resolve(key.value() + ".journal"));
        }

        void add(long offset, EventEnvelope event, Instant recordTime, Instant now) {
            // The body is encoded from the decoded event, not taken from the record: Avro decodes some bytes that
            // it never writes (longer varints, malformed UTF-8), and a segment must hold the same bytes whichever
            // version of the archiver seals it.
            journal.append(offset, event, CODEC.encodeBody(event));
            lastAppendAt = now;
            lastRecordTime = recordTime;
        }

        SealedSegment seal(SealReason reason) {
            return new SealedSegment(chain, key, journal.seal(), reason);
        }
    }
}
