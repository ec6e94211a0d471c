package io.polyglot.archive.store;

import io.polyglot.schemas.EventCodec;
import io.polyglot.schemas.UndecodableRecordException;
import io.polyglot.schemas.avro.EventEnvelope;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks the archive against what its segments claim: each segment's bytes against its recorded SHA-256, its events
 * against its recorded count and offsets, its size against the segment limit, its events against the one aggregate
 * type its key names, and the segments of each type and partition against each other (no offset in two of them).
 *
 * <p>Only objects whose key ends in {@code .avro} are segments; anything else under {@code events/}, such as the
 * {@code KEY-<uuid>} temporary objects a crashed upload can leave behind in S3Proxy, is not looked at.
 */
public final class ArchiveVerifier {

    /** The segment limit the archiver uses unless configured otherwise. */
    public static final int DEFAULT_MAX_EVENTS_PER_SEGMENT = 100;

    private static final Logger log = LoggerFactory.getLogger(ArchiveVerifier.class);

    private final ArchiveStore store;
    private final int maxEventsPerSegment;
    private final EventCodec codec = EventCodec.standard();

    /** A verifier of {@code store} that allows {@value #DEFAULT_MAX_EVENTS_PER_SEGMENT} events per segment. */
    public ArchiveVerifier(ArchiveStore store) {
        this(store, DEFAULT_MAX_EVENTS_PER_SEGMENT);
    }

    /** A verifier of {@code store} that allows {@code maxEventsPerSegment} events per segment. */
    public ArchiveVerifier(ArchiveStore store, int maxEventsPerSegment) {
        if (maxEventsPerSegment < 1) {
            throw new IllegalArgumentException("a segment holds at least one event, got " + maxEventsPerSegment);
        }
        this.store = store;
        this.maxEventsPerSegment = maxEventsPerSegment;
    }

    /** Verifies every segment under {@code events/}. */
    public VerificationReport verify() {
        return verify(SegmentKey.EVENTS_PREFIX);
    }

    /** Verifies every segment whose key starts with {@code prefix}. */
    public VerificationReport verify(String prefix) {
        List<String> problems = new ArrayList<>();
        Map<String, Long> eventsByType = new TreeMap<>();
        Map<String, List<Range>> chains = new HashMap<>();
        int segments = 0;
        for (String objectKey : store.list(prefix)) {
            if (!objectKey.endsWith(".avro")) {
                continue;
            }
            segments++;
            Optional<SegmentKey> key = SegmentKey.parse(objectKey);
            if (key.isEmpty()) {
                problems.add(objectKey + " does not follow the segment key layout.");
                continue;
            }
            verifySegment(key.get(), problems, eventsByType)
                    .ifPresent(range -> chains.computeIfAbsent(chainOf(key.get()), c -> new ArrayList<>())
                            .add(range));
        }
        chains.values().forEach(ranges -> findOverlaps(ranges, problems));
        log.info("Verified {} segments under {}: {} problems", segments, prefix, problems.size());
        return new VerificationReport(segments, eventsByType, problems);
    }

    private Optional<Range> verifySegment(SegmentKey key, List<String> problems, Map<String, Long> eventsByType) {
        Optional<SegmentMetadata> metadata = store.head(key.value());
        if (metadata.isEmpty()) {
            problems.add(key + " has no segment metadata (sha256, offsets, count, schema fingerprint).");
            return Optional.empty();
        }
        SegmentMetadata meta = metadata.get();
        Path file = download(key);
        try {
            String actual = SegmentChecksum.sha256Hex(file);
            if (!actual.equals(meta.sha256())) {
                problems.add(key + " has SHA-256 " + actual + " but its metadata records " + meta.sha256() + ".");
            }
            SegmentContents contents = read(file);
            checkContents(key, meta, contents, problems);
            for (EventEnvelope event : contents.events()) {
                eventsByType.merge(event.getAggregateType(), 1L, Long::sum);
            }
            return Optional.of(new Range(key, meta.firstOffset(), meta.lastOffset()));
        } catch (UndecodableRecordException e) {
            problems.add(key + " cannot be decoded as a segment file: " + e.getMessage());
            return Optional.of(new Range(key, meta.firstOffset(), meta.lastOffset()));
        } finally {
            deleteQuietly(file);
        }
    }

    private void checkContents(SegmentKey key, SegmentMetadata meta, SegmentContents contents, List<String> problems) {
        List<EventEnvelope> events = contents.events();
        List<Long> offsets = contents.offsets();
        if (events.size() != meta.eventCount()) {
            problems.add(
                    key + " holds " + events.size() + " events but its metadata records " + meta.eventCount() + ".");
        }
        if (events.size() > maxEventsPerSegment) {
            problems.add(
                    key + " holds " + events.size() + " events, more than the limit of " + maxEventsPerSegment + ".");
        }
        if (meta.schemaFingerprint() != contents.schemaFingerprint()) {
            problems.add(key + " is written with schema " + Long.toHexString(contents.schemaFingerprint())
                    + " but its metadata records " + Long.toHexString(meta.schemaFingerprint()) + ".");
        }
        if (contents.sourcePartition() != key.partition()) {
            problems.add(key + " says its events come from partition " + contents.sourcePartition() + ".");
        }
        checkOffsets(key, meta, offsets, events.size(), problems);
        for (EventEnvelope event : events) {
            checkEvent(key, contents, event, problems);
        }
    }

    private static void checkOffsets(
            SegmentKey key, SegmentMetadata meta, List<Long> offsets, int eventCount, List<String> problems) {
        if (offsets.size() != eventCount) {
            problems.add(key + " lists " + offsets.size() + " offsets for " + eventCount + " events.");
            return;
        }
        for (int i = 1; i < offsets.size(); i++) {
            if (offsets.get(i) <= offsets.get(i - 1)) {
                problems.add(key + " lists offset " + offsets.get(i) + " after " + offsets.get(i - 1)
                        + ": events are not in offset order.");
            }
        }
        long first = offsets.get(0);
        long last = offsets.get(offsets.size() - 1);
        if (first != key.firstOffset() || first != meta.firstOffset()) {
            problems.add(key + " starts at offset " + first + " but its key says " + key.firstOffset()
                    + " and its metadata " + meta.firstOffset() + ".");
        }
        if (last != meta.lastOffset()) {
            problems.add(key + " ends at offset " + last + " but its metadata records " + meta.lastOffset() + ".");
        }
    }

    private void checkEvent(SegmentKey key, SegmentContents contents, EventEnvelope event, List<String> problems) {
        if (!key.holds(event.getAggregateType())) {
            problems.add(key + " holds event " + event.getEventId() + " of aggregate type " + event.getAggregateType()
                    + ", not of the type its key names.");
        }
        try {
            long fingerprint = SegmentFormat.payloadFingerprint(event);
            if (!contents.payloadSchemas().containsKey(fingerprint)) {
                problems.add(key + " holds event " + event.getEventId() + " whose payload schema "
                        + Long.toHexString(fingerprint) + " the file does not carry.");
            }
            codec.decodePayload(event.getPayload());
        } catch (UndecodableRecordException e) {
            problems.add(
                    key + " holds event " + event.getEventId() + " whose payload cannot be decoded: " + e.getMessage());
        }
    }

    private static void findOverlaps(List<Range> ranges, List<String> problems) {
        ranges.sort(Comparator.comparingLong(Range::first));
        Range previous = null;
        for (Range range : ranges) {
            if (previous != null && range.first() <= previous.last()) {
                problems.add("Offsets " + range.first() + ".." + Math.min(range.last(), previous.last())
                        + " appear in both " + previous.key() + " and " + range.key() + ".");
            }
            if (previous == null || range.last() > previous.last()) {
                previous = range;
            }
        }
    }

    private Path download(SegmentKey key) {
        try {
            Path file = Files.createTempFile("segment-", ".avro");
            return store.get(key.value(), file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary file to verify " + key, e);
        }
    }

    private static SegmentContents read(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return SegmentFormat.read(in);
        } catch (IOException e) {
            throw new UndecodableRecordException("cannot read the downloaded segment: " + e.getMessage(), e);
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            log.warn("Cannot delete temporary file {}", file, e);
        }
    }

    private static String chainOf(SegmentKey key) {
        return key.typeSegment() + "/" + key.partition();
    }

    private record Range(SegmentKey key, long first, long last) {}
}
