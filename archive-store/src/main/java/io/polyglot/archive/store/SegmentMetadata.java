package io.polyglot.archive.store;

import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;

/**
 * What an archived segment says about itself in its object metadata.
 *
 * <p>The names on the wire are {@code sha256} (64 lower-case hex digits), {@code first-offset}, {@code last-offset},
 * {@code event-count} (decimal) and {@code schema-fingerprint} (the envelope schema's Avro parsing fingerprint as 16
 * lower-case hex digits, as on the {@code schemas} topic).
 *
 * @param sha256 SHA-256 of the segment file, hex, lower case
 * @param firstOffset offset of the first event in the segment
 * @param lastOffset offset of the last event in the segment
 * @param eventCount number of events in the segment
 * @param schemaFingerprint fingerprint of the schema the segment's records are written with
 */
public record SegmentMetadata(
        String sha256, long firstOffset, long lastOffset, int eventCount, long schemaFingerprint) {

    static final String SHA256 = "sha256";
    static final String FIRST_OFFSET = "first-offset";
    static final String LAST_OFFSET = "last-offset";
    static final String EVENT_COUNT = "event-count";
    static final String SCHEMA_FINGERPRINT = "schema-fingerprint";

    /** Validates the values: a checksum of 64 lower-case hex digits, a non-empty offset range that fits the count. */
    public SegmentMetadata {
        if (sha256 == null || !sha256.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException("sha256 must be 64 lower-case hex digits, got " + sha256);
        }
        if (firstOffset < 0 || lastOffset < firstOffset) {
            throw new IllegalArgumentException(
                    "offsets must satisfy 0 <= first <= last, got first=" + firstOffset + " last=" + lastOffset);
        }
        if (eventCount < 1 || eventCount - 1L > lastOffset - firstOffset) {
            throw new IllegalArgumentException(
                    "event count " + eventCount + " does not fit offsets " + firstOffset + ".." + lastOffset);
        }
    }

    /** The metadata as S3 user metadata (the store adds the {@code x-amz-meta-} prefix). */
    public Map<String, String> toUserMetadata() {
        return Map.of(
                SHA256, sha256,
                FIRST_OFFSET, Long.toString(firstOffset),
                LAST_OFFSET, Long.toString(lastOffset),
                EVENT_COUNT, Integer.toString(eventCount),
                SCHEMA_FINGERPRINT, String.format("%016x", schemaFingerprint));
    }

    /** The metadata read back from S3 user metadata, or empty when any entry is missing or malformed. */
    public static Optional<SegmentMetadata> fromUserMetadata(Map<String, String> userMetadata) {
        try {
            return Optional.of(new SegmentMetadata(
                    required(userMetadata, SHA256),
                    Long.parseLong(required(userMetadata, FIRST_OFFSET)),
                    Long.parseLong(required(userMetadata, LAST_OFFSET)),
                    Integer.parseInt(required(userMetadata, EVENT_COUNT)),
                    HexFormat.fromHexDigitsToLong(required(userMetadata, SCHEMA_FINGERPRINT))));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** Whether {@code other} describes the same cut (same offsets) with the same bytes. */
    public boolean sameSegmentAs(SegmentMetadata other) {
        return firstOffset == other.firstOffset && lastOffset == other.lastOffset && sha256.equals(other.sha256);
    }

    /** Whether {@code other} covers the same offsets, whatever its bytes. */
    public boolean sameCutAs(SegmentMetadata other) {
        return firstOffset == other.firstOffset && lastOffset == other.lastOffset;
    }

    private static String required(Map<String, String> userMetadata, String name) {
        String value = userMetadata.get(name);
        if (value == null) {
            throw new IllegalArgumentException("missing " + name);
        }
        return value;
    }
}
