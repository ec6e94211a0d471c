package io.polyglot.archive.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.polyglot.schemas.UndecodableRecordException;
import java.io.IOException;
import java.util.List;
import java.util.regex.Pattern;

/**
 * One numbered part of a chain's manifest, {@code manifests/{aggregateType}/p{partition:03}/{part:010}.json}, written
 * create-only: the segments it adds to the chain and the offset ranges before each that held no event of the type
 * (other types' events, transaction markers), so the parts of a chain account for every offset up to its last
 * segment.
 *
 * @param typeSegment the aggregate type as it appears in keys
 * @param partition the partition of the chain
 * @param part the part's number, from 0, one more than the part before
 * @param segments the segments this part lists, in offset order
 * @param emptyRanges the offset ranges of the partition, since the part before, that held no event of the type
 */
public record ManifestPart(
        String typeSegment, int partition, long part, List<Entry> segments, List<OffsetRange> emptyRanges) {

    /** Prefix of every manifest key. */
    public static final String MANIFESTS_PREFIX = "manifests/";

    private static final ObjectMapper JSON =
            new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    private static final Pattern PART_KEY = Pattern.compile("^manifests/[^/]+/p\\d{3,}/\\d{10}\\.json$");

    /** Copies the lists. */
    public ManifestPart {
        segments = List.copyOf(segments);
        emptyRanges = List.copyOf(emptyRanges);
    }

    /**
     * One segment in a manifest.
     *
     * @param key the segment's key
     * @param firstOffset its first offset
     * @param lastOffset its last offset
     * @param eventCount how many events it holds
     * @param firstEventTime when its first event occurred, ISO-8601
     * @param lastEventTime when its last event occurred, ISO-8601
     * @param sha256 the SHA-256 recorded when it was sealed
     */
    public record Entry(
            String key,
            long firstOffset,
            long lastOffset,
            int eventCount,
            String firstEventTime,
            String lastEventTime,
            String sha256) {}

    /**
     * Offsets {@code first..last} of a partition, both included.
     *
     * @param first the first offset
     * @param last the last offset
     */
    public record OffsetRange(long first, long last) {}

    /** The prefix of every part of the manifest of the chain whose type appears as {@code typeSegment} in keys. */
    public static String prefix(String typeSegment, int partition) {
        return MANIFESTS_PREFIX + SegmentKey.requireTypeSegment(typeSegment) + "/"
                + SegmentKey.partitionFolder(partition);
    }

    /** Whether {@code key} is the key of a manifest part. */
    public static boolean isPartKey(String key) {
        return PART_KEY.matcher(key).matches();
    }

    /** The key of this part. */
    public String key() {
        return prefix(typeSegment, partition) + String.format("%010d.json", part);
    }

    /** The last offset this part accounts for: the last offset of its last segment. */
    public long lastOffset() {
        return segments.isEmpty() ? -1 : segments.get(segments.size() - 1).lastOffset();
    }

    /** The key of the last segment this part lists. */
    public String lastSegmentKey() {
        return segments.get(segments.size() - 1).key();
    }

    /** The part as JSON. */
    public byte[] toJson() {
        try {
            return JSON.writeValueAsBytes(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a manifest part is always JSON", e);
        }
    }

    /**
     * The part read from JSON.
     *
     * @throws UndecodableRecordException when the bytes are not a manifest part
     */
    public static ManifestPart fromJson(byte[] json) {
        try {
            return JSON.readValue(json, ManifestPart.class);
        } catch (IOException e) {
            throw new UndecodableRecordException("not a manifest part: " + e.getMessage(), e);
        }
    }
}
