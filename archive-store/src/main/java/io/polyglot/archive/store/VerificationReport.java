package io.polyglot.archive.store;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What {@link ArchiveVerifier} found.
 *
 * @param checkedAt when the verification started, ISO-8601
 * @param endedAt when it ended, ISO-8601; absent (null) from reports stored before the end was recorded
 * @param segments how many segment objects were checked
 * @param byAggregateType segments, events and bytes per aggregate type (as it appears in keys)
 * @param manifestParts how many manifest parts were checked
 * @param segmentsNotInManifests stored segments after the last part of their chain's manifest, which the archiver
 *     lists in the chain's next part; not a problem
 * @param committedEventsChecked how many records of {@code events.all} were checked against the archive; -1 when the
 *     topic was not read
 * @param problems one sentence per problem found, each naming the key or partition it is about; empty when sound
 * @param lateSegments how many late segments (retried dead letters, one event each) were checked; their events are
 *     in {@code byAggregateType} too
 * @param deadLetters the archiver group's dead letters by resolution; all zero when they were not read
 */
public record VerificationReport(
        String checkedAt,
        String endedAt,
        int segments,
        Map<String, TypeCounts> byAggregateType,
        int manifestParts,
        int segmentsNotInManifests,
        long committedEventsChecked,
        List<String> problems,
        int lateSegments,
        DeadLetterCounts deadLetters) {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** Copies the collections, the types in name order. */
    public VerificationReport {
        byAggregateType = java.util.Collections.unmodifiableMap(new TreeMap<>(byAggregateType));
        problems = List.copyOf(problems);
        java.util.Objects.requireNonNull(deadLetters, "deadLetters");
    }

    /** A report of an archive without late segments or dead letters. */
    public VerificationReport(
            String checkedAt,
            String endedAt,
            int segments,
            Map<String, TypeCounts> byAggregateType,
            int manifestParts,
            int segmentsNotInManifests,
            long committedEventsChecked,
            List<String> problems) {
        this(
                checkedAt,
                endedAt,
                segments,
                byAggregateType,
                manifestParts,
                segmentsNotInManifests,
                committedEventsChecked,
                problems,
                0,
                DeadLetterCounts.NONE);
    }

    /**
     * The archiver group's dead letters, one per source offset, by resolution.
     *
     * @param pending neither retried nor skipped yet
     * @param retried sealed as late segments
     * @param skipped left out on purpose
     */
    public record DeadLetterCounts(long pending, long retried, long skipped) {

        /** No dead letters, or none read. */
        public static final DeadLetterCounts NONE = new DeadLetterCounts(0, 0, 0);

        /** How many dead letters there are in all. */
        @JsonProperty
        public long total() {
            return pending + retried + skipped;
        }
    }

    /**
     * The archive's content of one aggregate type.
     *
     * @param segments how many segments
     * @param events how many events they hold
     * @param bytes how many bytes they take
     */
    public record TypeCounts(long segments, long events, long bytes) {

        TypeCounts plus(TypeCounts other) {
            return new TypeCounts(segments + other.segments, events + other.events, bytes + other.bytes);
        }
    }

    /** Whether no problem was found. */
    @JsonProperty
    public boolean sound() {
        return problems.isEmpty();
    }

    /** How many events the segments hold in all. */
    @JsonProperty
    public long events() {
        return byAggregateType.values().stream().mapToLong(TypeCounts::events).sum();
    }

    /** How many bytes the segments take in all. */
    @JsonProperty
    public long bytes() {
        return byAggregateType.values().stream().mapToLong(TypeCounts::bytes).sum();
    }

    /** How many events the segments hold, per aggregate type. */
    public Map<String, Long> eventsByAggregateType() {
        Map<String, Long> events = new TreeMap<>();
        byAggregateType.forEach((type, counts) -> events.put(type, counts.events()));
        return events;
    }

    /** The report as JSON, as {@code archive verify --json} prints it and {@code verifications/} stores it. */
    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a verification report is always JSON", e);
        }
    }
}
