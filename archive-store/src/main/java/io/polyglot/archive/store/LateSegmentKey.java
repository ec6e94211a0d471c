package io.polyglot.archive.store;

import io.polyglot.schemas.SafeSegment;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a late segment lives: {@code events/{aggregateType}/p{partition:03}/late/{sourceOffset:020}.avro}, the one
 * event of a dead letter the archiver's group retried. Keyed by the source offset, so the create-only upload makes a
 * second retry of the same dead letter a no-op; it is no part of its type's chain and no manifest lists it.
 *
 * @param typeSegment the aggregate type as it appears in the key (the output of {@link SafeSegment#of})
 * @param partition the partition of {@code events.all} the event comes from
 * @param sourceOffset the event's offset there
 */
public record LateSegmentKey(String typeSegment, int partition, long sourceOffset) {

    /** The folder of late segments inside a chain's folder. */
    public static final String LATE_FOLDER = "late/";

    private static final Pattern LAYOUT = Pattern.compile("^events/([^/]+)/p(\\d{3,})/late/(\\d{20})\\.avro$");

    /** Validates the parts. */
    public LateSegmentKey {
        SegmentKey.requireTypeSegment(typeSegment);
        if (partition < 0 || sourceOffset < 0) {
            throw new IllegalArgumentException(
                    "a partition and an offset are never negative, got " + partition + "/" + sourceOffset);
        }
    }

    /**
     * The key of the late segment of the event of {@code aggregateType} at {@code sourceOffset} of {@code partition}.
     */
    public static LateSegmentKey of(String aggregateType, int partition, long sourceOffset) {
        return new LateSegmentKey(SafeSegment.of(aggregateType), partition, sourceOffset);
    }

    /** The key behind an object key, or empty when the object key does not follow the late-segment layout. */
    public static Optional<LateSegmentKey> parse(String objectKey) {
        Matcher matcher = LAYOUT.matcher(objectKey);
        if (!matcher.matches()) {
            return Optional.empty();
        }
        try {
            return Optional.of(new LateSegmentKey(
                    matcher.group(1), Integer.parseInt(matcher.group(2)), Long.parseLong(matcher.group(3))));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** The object key. */
    public String value() {
        return SegmentKey.chainPrefixOfSegment(typeSegment, partition)
                + LATE_FOLDER
                + String.format("%020d.avro", sourceOffset);
    }

    @Override
    public String toString() {
        return value();
    }
}
