package io.polyglot.archive.store;

import io.polyglot.schemas.EventCodec;
import io.polyglot.schemas.UndecodableRecordException;
import io.polyglot.schemas.avro.EventEnvelope;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks the archive against what its segments and manifests claim and, given what a read-committed consumer of
 * {@code events.all} returned, against the topic itself (guarantees I1 and I2).
 *
 * <ul>
 *   <li>Each segment: its bytes against its recorded SHA-256, its events against its recorded count and offsets, its
 *       size against the segment limit, its events against the one aggregate type its key names.
 *   <li>Each chain's manifest: parts numbered from 0 without gaps, each listed segment stored with the same checksum
 *       and offsets, and the segments' offsets with the empty ranges accounting for every offset of the partition
 *       from 0 to the chain's last listed offset exactly once.
 *   <li>The topic: each offset the consumer returned is in exactly one segment, of the event's type, and in the
 *       empty ranges of every other chain of its partition whose manifest reaches it; no segment holds an offset the
 *       consumer does not return.
 *   <li>Dead letters, given the offsets the archiver's group has dead letters for: a dead-lettered offset counts as
 *       covered (pending, skipped, or retried into its late segment) and must not also be in a regular segment;
 *       each late segment ({@link LateSegmentKey}) is re-hashed, holds exactly its one event, and belongs to a dead
 *       letter that was not skipped; each stored decision ({@link DeadLetterResolution}) is about a dead letter.
 * </ul>
 *
 * <p>Only objects whose key ends in {@code .avro} are segments; the {@code KEY-<uuid>} temporary objects a crashed
 * upload can leave behind in S3Proxy are not looked at, anything else under {@code events/} is a problem.
 */
public final class ArchiveVerifier {

    /** The segment limit the archiver uses unless configured otherwise. */
    public static final int DEFAULT_MAX_EVENTS_PER_SEGMENT = 100;

    /** Prefix of the stored verification results. */
    public static final String VERIFICATIONS_PREFIX = "verifications/";

    /** How many separate offset ranges one problem sentence names before it only counts the rest. */
    private static final int RANGES_NAMED = 10;

    private static final DateTimeFormatter RESULT_NAME =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'").withZone(ZoneOffset.UTC);

    private static final Logger log = LoggerFactory.getLogger(ArchiveVerifier.class);

    private final ArchiveStore store;
    private final int maxEventsPerSegment;
    private final Clock clock;
    /** The payload schemas the segments read so far carry, for payloads of versions this build does not know. */
    private final Map<Long, org.apache.avro.Schema> carriedSchemas = new java.util.concurrent.ConcurrentHashMap<>();

    private final EventCodec codec = EventCodec.withCatalog(carriedSchemas::get);
    private volatile String phase = "not started";
    private Runnable betweenListings = () -> {};
    private volatile long objectsChecked;
    private volatile long objectsTotal;

    /** A verifier of {@code store} that allows {@value #DEFAULT_MAX_EVENTS_PER_SEGMENT} events per segment. */
    public ArchiveVerifier(ArchiveStore store) {
        this(store, DEFAULT_MAX_EVENTS_PER_SEGMENT);
    }

    /** A verifier of {@code store} that allows {@code maxEventsPerSegment} events per segment. */
    public ArchiveVerifier(ArchiveStore store, int maxEventsPerSegment) {
        this(store, maxEventsPerSegment, Clock.systemUTC());
    }

    /** A verifier of {@code store} whose reports are dated by {@code clock}. */
    public ArchiveVerifier(ArchiveStore store, int maxEventsPerSegment, Clock clock) {
        if (maxEventsPerSegment < 1) {
            throw new IllegalArgumentException("a segment holds at least one event, got " + maxEventsPerSegment);
        }
        this.store = store;
        this.maxEventsPerSegment = maxEventsPerSegment;
        this.clock = clock;
    }

    /**
     * Runs {@code action} between the listing of the manifest parts and that of the segments, for tests that write
     * to the archive there, as an archiver does while a verification runs.
     */
    ArchiveVerifier betweenListings(Runnable action) {
        this.betweenListings = action;
        return this;
    }

    /** Verifies every segment under {@code events/} and every manifest, without the topic. */
    public VerificationReport verify() {
        return run(SegmentKey.EVENTS_PREFIX, true, Optional.empty(), Optional.empty());
    }

    /** Verifies every segment whose key starts with {@code prefix}, without manifests or the topic. */
    public VerificationReport verify(String prefix) {
        return run(prefix, false, Optional.empty(), Optional.empty());
    }

    /**
     * Verifies every segment and manifest, and that the archive covers {@code committed} exactly once; read the topic
     * before calling this, so the archive listed is at least as new as what was read.
     */
    public VerificationReport verify(CommittedEvents committed) {
        return run(SegmentKey.EVENTS_PREFIX, true, Optional.of(committed), Optional.empty());
    }

    /**
     * Like {@link #verify(CommittedEvents)}, with the offsets {@code group} has dead letters for counted as covered
     * once each: read {@code events.all} first, then {@code events.dlq}, then call this.
     */
    public VerificationReport verify(CommittedEvents committed, DeadLetteredOffsets deadLetters, String group) {
        return run(
                SegmentKey.EVENTS_PREFIX,
                true,
                Optional.of(committed),
                Optional.of(new GroupDeadLetters(group, deadLetters)));
    }

    /**
     * Stores {@code report} create-only as {@code verifications/{checkedAt}.json}, with a counter after the time when
     * another verification of the same millisecond holds that key.
     *
     * @return the key it was stored under
     */
    public String store(VerificationReport report) {
        String name = VERIFICATIONS_PREFIX + RESULT_NAME.format(Instant.parse(report.checkedAt()));
        byte[] json = report.toJson().getBytes(StandardCharsets.UTF_8);
        for (int attempt = 0; ; attempt++) {
            String key = attempt == 0 ? name + ".json" : name + "-" + attempt + ".json";
            if (store.putJsonIfAbsent(key, json)) {
                log.info("Verification stored as {}", key);
                return key;
            }
        }
    }

    /**
     * How far the verification running now is, readable from any thread.
     *
     * @param phase {@code listing}, {@code segments} (objects checked of the total), {@code manifests},
     *     {@code coverage} (the topic against the archive) or {@code done}
     * @param objectsChecked objects under the prefix checked so far
     * @param objectsTotal objects under the prefix, once listed
     */
    public record Progress(String phase, long objectsChecked, long objectsTotal) {}

    /** How far the verification running now is. */
    public Progress progress() {
        return new Progress(phase, objectsChecked, objectsTotal);
    }

    private VerificationReport run(
            String prefix,
            boolean withManifests,
            Optional<CommittedEvents> committed,
            Optional<GroupDeadLetters> deadLetters) {
        Instant started = clock.instant();
        List<String> problems = new ArrayList<>();
        Map<String, VerificationReport.TypeCounts> counts = new TreeMap<>();
        Map<String, StoredSegment> segments = new TreeMap<>();
        Map<DeadLetterResolutions.SourceOffset, StoredSegment> late = new TreeMap<>();
        phase = "listing";
        // The parts are listed before the segments: an archiver uploads a segment before the part that lists it, so
        // every part listed here lists segments the later listing finds, while the archiver goes on writing. Listed
        // the other way round, a segment sealed between the two listings would be named by a part but not found.
        List<String> partKeys = withManifests ? store.list(ManifestPart.MANIFESTS_PREFIX) : List.of();
        betweenListings.run();
        List<String> objectKeys = store.list(prefix);
        objectsTotal = objectKeys.size();
        phase = "segments";
        for (String objectKey : objectKeys) {
            objectsChecked++;
            Optional<LateSegmentKey> lateKey = LateSegmentKey.parse(objectKey);
            if (lateKey.isPresent()) {
                verifyLateSegment(lateKey.get(), problems, counts)
                        .ifPresent(segment -> late.put(
                                new DeadLetterResolutions.SourceOffset(
                                        lateKey.get().partition(), lateKey.get().sourceOffset()),
                                segment));
                continue;
            }
            if (!objectKey.endsWith(".avro")) {
                if (!ArchiveStore.isUploadLeftover(objectKey)) {
                    problems.add(objectKey + " is neither a segment nor the leftover of an upload.");
                }
                continue;
            }
            Optional<SegmentKey> key = SegmentKey.parse(objectKey);
            if (key.isEmpty()) {
                problems.add(objectKey + " does not follow the segment key layout.");
                continue;
            }
            verifySegment(key.get(), problems, counts).ifPresent(segment -> segments.put(objectKey, segment));
        }
        findOverlaps(segments.values(), problems);
        phase = "manifests";
        Map<String, ManifestChain> chains = new TreeMap<>();
        int parts = withManifests ? verifyManifests(partKeys, segments, chains, problems) : 0;
        int unlisted = withManifests ? countUnlisted(segments, chains, problems) : 0;
        VerificationReport.DeadLetterCounts deadLetterCounts = deadLetters
                .map(group -> group.account(late, problems))
                .orElse(VerificationReport.DeadLetterCounts.NONE);
        DeadLetteredOffsets covered = deadLetters.map(GroupDeadLetters::offsets).orElseGet(DeadLetteredOffsets::new);
        phase = "coverage";
        committed.ifPresent(
                read -> new TopicCoverage(read, segments.values(), chains, covered, late.keySet(), problems).check());
        phase = "done";
        log.info(
                "Verified {} segments, {} late segments and {} manifest parts under {}: {} problems",
                segments.size(),
                late.size(),
                parts,
                prefix,
                problems.size());
        return new VerificationReport(
                started.toString(),
                clock.instant().toString(),
                segments.size(),
                counts,
                parts,
                unlisted,
                committed.map(CommittedEvents::count).orElse(-1L),
                problems,
                late.size(),
                deadLetterCounts);
    }

    /**
     * Checks a late segment like any segment, and that it holds exactly the one event its key names; its events count
     * in the per-type totals.
     */
    private Optional<StoredSegment> verifyLateSegment(
            LateSegmentKey key, List<String> problems, Map<String, VerificationReport.TypeCounts> counts) {
        SegmentKey asSegment = new SegmentKey(key.typeSegment(), key.partition(), key.sourceOffset());
        List<String> found = new ArrayList<>();
        Optional<StoredSegment> segment = verifyObject(key.value(), asSegment, found, counts);
        found.forEach(problem -> problems.add(problem.replace(asSegment.value(), key.value())));
        segment.ifPresent(stored -> {
            if (stored.meta().eventCount() != 1 || stored.first() != key.sourceOffset()) {
                problems.add(key + " is a late segment but does not hold exactly the event at offset "
                        + key.sourceOffset() + ".");
            }
        });
        return segment;
    }

    private Optional<StoredSegment> verifySegment(
            SegmentKey key, List<String> problems, Map<String, VerificationReport.TypeCounts> counts) {
        return verifyObject(key.value(), key, problems, counts);
    }

    /** Verifies the segment stored at {@code objectKey}, which {@code key} describes. */
    private Optional<StoredSegment> verifyObject(
            String objectKey,
            SegmentKey key,
            List<String> problems,
            Map<String, VerificationReport.TypeCounts> counts) {
        Optional<SegmentMetadata> metadata = store.head(objectKey);
        if (metadata.isEmpty()) {
            problems.add(key + " has no segment metadata (sha256, offsets, count, schema fingerprint).");
            return Optional.empty();
        }
        SegmentMetadata meta = metadata.get();
        Path file = download(objectKey);
        try {
            long bytes = Files.size(file);
            String actual = SegmentChecksum.sha256Hex(file);
            if (!actual.equals(meta.sha256())) {
                problems.add(key + " has SHA-256 " + actual + " but its metadata records " + meta.sha256() + ".");
            }
            SegmentContents contents = read(file);
            carriedSchemas.putAll(contents.payloadSchemas());
            checkContents(key, meta, contents, problems);
            counts.merge(
                    key.typeSegment(),
                    new VerificationReport.TypeCounts(1, contents.events().size(), bytes),
                    VerificationReport.TypeCounts::plus);
            return Optional.of(new StoredSegment(key, meta, contents.offsets()));
        } catch (UndecodableRecordException e) {
            problems.add(key + " cannot be decoded as a segment file: " + e.getMessage());
            return Optional.of(new StoredSegment(key, meta, List.of()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the downloaded copy of " + key, e);
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

    private static void findOverlaps(Collection<StoredSegment> segments, List<String> problems) {
        Map<String, List<StoredSegment>> byChain = new TreeMap<>();
        segments.forEach(segment ->
                byChain.computeIfAbsent(segment.chain(), c -> new ArrayList<>()).add(segment));
        for (List<StoredSegment> chain : byChain.values()) {
            chain.sort(Comparator.comparingLong(StoredSegment::first));
            StoredSegment previous = null;
            for (StoredSegment segment : chain) {
                if (previous != null && segment.first() <= previous.last()) {
                    problems.add("Offsets " + segment.first() + ".." + Math.min(segment.last(), previous.last())
                            + " appear in both " + previous.key() + " and " + segment.key() + ".");
                }
                if (previous == null || segment.last() > previous.last()) {
                    previous = segment;
                }
            }
        }
    }

    /** Checks every chain's manifest; returns how many parts it read. */
    private int verifyManifests(
            List<String> listedParts,
            Map<String, StoredSegment> segments,
            Map<String, ManifestChain> chains,
            List<String> problems) {
        Map<String, List<String>> partKeys = new TreeMap<>();
        for (String key : listedParts) {
            if (!ManifestPart.isPartKey(key)) {
                problems.add(key + " is not a manifest part key.");
                continue;
            }
            partKeys.computeIfAbsent(key.substring(0, key.lastIndexOf('/') + 1), p -> new ArrayList<>())
                    .add(key);
        }
        int read = 0;
        for (Map.Entry<String, List<String>> chainParts : partKeys.entrySet()) {
            ManifestChain chain = new ManifestChain(chainParts.getKey());
            List<String> keys = chainParts.getValue();
            for (int number = 0; number < keys.size(); number++) {
                String key = keys.get(number);
                String expected = chainParts.getKey() + String.format("%010d.json", number);
                if (!key.equals(expected)) {
                    problems.add(key + " follows " + (number == 0 ? "no part" : keys.get(number - 1)) + " but "
                            + expected + " is missing: the parts of a chain are numbered from 0 without gaps.");
                    break;
                }
                readPart(key)
                        .ifPresentOrElse(
                                part -> chain.add(key, part, segments, problems),
                                () -> problems.add(key + " is not a manifest part."));
                read++;
            }
            chain.checkAccounting(problems);
            chains.put(chain.segmentPrefix(), chain);
        }
        return read;
    }

    private Optional<ManifestPart> readPart(String key) {
        try (InputStream in = store.get(key)) {
            return Optional.of(ManifestPart.fromJson(in.readAllBytes()));
        } catch (UndecodableRecordException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new ArchiveStoreException("cannot read " + key, true, e);
        }
    }

    /**
     * Counts the segments after the end of their chain's manifest, which the archiver lists in the chain's next part;
     * a segment within the manifest's offsets that it does not list is a problem.
     */
    private static int countUnlisted(
            Map<String, StoredSegment> segments, Map<String, ManifestChain> chains, List<String> problems) {
        int unlisted = 0;
        for (StoredSegment segment : segments.values()) {
            ManifestChain chain = chains.get(segment.chain());
            if (chain != null && chain.lists(segment.key().value())) {
                continue;
            }
            if (chain != null && segment.first() <= chain.lastOffset()) {
                problems.add(segment.key() + " is stored within the offsets of " + chain.prefix()
                        + " but no part lists it.");
            } else {
                unlisted++;
            }
        }
        return unlisted;
    }

    private Path download(String key) {
        try {
            Path file = Files.createTempFile("segment-", ".avro");
            return store.get(key, file);
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

    /** Names ranges of offsets, the first {@value #RANGES_NAMED} of them, then how many more there are. */
    static String describe(List<ManifestPart.OffsetRange> ranges) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < Math.min(ranges.size(), RANGES_NAMED); i++) {
            ManifestPart.OffsetRange range = ranges.get(i);
            text.append(i == 0 ? "" : ", ")
                    .append(range.first() == range.last() ? range.first() : range.first() + ".." + range.last());
        }
        if (ranges.size() > RANGES_NAMED) {
            text.append(" and ").append(ranges.size() - RANGES_NAMED).append(" more ranges");
        }
        return text.toString();
    }

    /** Joins sorted offsets into ranges of consecutive offsets. */
    static List<ManifestPart.OffsetRange> ranges(List<Long> sortedOffsets) {
        List<ManifestPart.OffsetRange> ranges = new ArrayList<>();
        long first = -1;
        long last = -2;
        for (long offset : sortedOffsets) {
            if (offset != last + 1) {
                if (first >= 0) {
                    ranges.add(new ManifestPart.OffsetRange(first, last));
                }
                first = offset;
            }
            last = offset;
        }
        if (first >= 0) {
            ranges.add(new ManifestPart.OffsetRange(first, last));
        }
        return ranges;
    }

    /** The dead letters of the archiver's group, and the accounting of their late segments and decisions. */
    private final class GroupDeadLetters {
        private final String group;
        private final DeadLetteredOffsets offsets;

        GroupDeadLetters(String group, DeadLetteredOffsets offsets) {
            this.group = group;
            this.offsets = offsets;
        }

        DeadLetteredOffsets offsets() {
            return offsets;
        }

        /** Counts the dead letters by resolution; a late segment or decision without a dead letter is a problem. */
        VerificationReport.DeadLetterCounts account(
                Map<DeadLetterResolutions.SourceOffset, StoredSegment> late, List<String> problems) {
            Map<DeadLetterResolutions.SourceOffset, DeadLetterResolution> decided =
                    new DeadLetterResolutions(store).all(group, problems);
            late.forEach((at, segment) -> {
                if (!offsets.contains(at.partition(), at.offset())) {
                    LateSegmentKey key = new LateSegmentKey(segment.key().typeSegment(), at.partition(), at.offset());
                    problems.add(
                            key + " is a late segment, but group " + group + " has no dead letter of that offset.");
                }
            });
            long retried = 0;
            long skipped = 0;
            for (int partition : offsets.partitions()) {
                for (long offset : offsets.of(partition)) {
                    var at = new DeadLetterResolutions.SourceOffset(partition, offset);
                    DeadLetterResolution decision = decided.get(at);
                    boolean sealed = late.containsKey(at);
                    if (sealed && decision != null && decision.status() == DeadLetterResolution.Status.SKIPPED) {
                        problems.add("The dead letter of offset " + offset + " of partition " + partition
                                + " is skipped, yet it has a late segment.");
                    }
                    if (sealed) {
                        retried++;
                    } else if (decision != null && decision.status() == DeadLetterResolution.Status.SKIPPED) {
                        skipped++;
                    } else if (decision != null) {
                        problems.add(decision.key() + " says the dead letter was retried, but it has no late segment.");
                    }
                }
            }
            decided.forEach((at, decision) -> {
                if (!offsets.contains(at.partition(), at.offset())) {
                    problems.add(decision.key() + " decides about a dead letter group " + group + " does not have.");
                }
            });
            long pending = offsets.count() - retried - skipped;
            return new VerificationReport.DeadLetterCounts(pending, retried, skipped);
        }
    }

    /**
     * A stored segment as verified.
     *
     * @param offsets the offsets its file lists, empty when the file cannot be decoded
     */
    record StoredSegment(SegmentKey key, SegmentMetadata meta, List<Long> offsets) {
        long first() {
            return meta.firstOffset();
        }

        long last() {
            return meta.lastOffset();
        }

        /** The chain's prefix under {@code events/}. */
        String chain() {
            return SegmentKey.chainPrefixOfSegment(key.typeSegment(), key.partition());
        }
    }
}
