package io.polyglot.archive.store;

import io.polyglot.schemas.SafeSegment;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a segment lives: {@code events/{aggregateType}/p{partition:03}/{firstOffset:020}.avro}.
 *
 * <p>This record is the one place the layout is spelled out. The aggregate type goes through {@link SafeSegment#of},
 * so a valid type is its own path segment; offsets are zero-padded so keys sort in offset order. Keying by the first
 * offset makes the create-only upload a fence: two writers that cut the same chain differently still collide.
 *
 * @param typeSegment the aggregate type as it appears in the key (the output of {@link SafeSegment#of})
 * @param partition the Kafka partition of {@code events.all} the segment's events come from
 * @param firstOffset the offset of the segment's first event
 */
public record SegmentKey(String typeSegment, int partition, long firstOffset) {

    /** Prefix of every segment key. */
    public static final String EVENTS_PREFIX = "events/";

    /**
     * Prefix of the chain index: {@code index/p{partition:03}/{aggregateType}} is an empty object that says the
     * partition has a chain of that type, written before the chain's first segment, so resuming a partition reads
     * the chains of its own types instead of asking every type in the bucket.
     */
    public static final String INDEX_PREFIX = "index/";

    private static final Pattern LAYOUT = Pattern.compile("^events/([^/]+)/p(\\d{3,})/(\\d{20})\\.avro$");

    /** Validates the parts; use {@link #of} to build a key from an aggregate type. */
    public SegmentKey {
        requireTypeSegment(typeSegment);
        if (partition < 0) {
            throw new IllegalArgumentException("a partition is never negative, got " + partition);
        }
        if (firstOffset < 0) {
            throw new IllegalArgumentException("an offset is never negative, got " + firstOffset);
        }
    }

    /**
     * Refuses {@code typeSegment} unless {@link SafeSegment#of} could have produced it, so a key or a folder built
     * from it never holds a separator, a dot or a control character.
     *
     * @return {@code typeSegment}
     * @throws IllegalArgumentException when it is not a safe segment
     */
    public static String requireTypeSegment(String typeSegment) {
        if (!isTypeSegment(typeSegment)) {
            throw new IllegalArgumentException("not a safe aggregate type segment: " + typeSegment);
        }
        return typeSegment;
    }

    /**
     * Whether {@code text} is what {@link SafeSegment#of} can produce: one or more letters, digits and {@code _ - % ~};
     * never a separator or a dot. Checked character by character: the archiver asks it for every event it reads.
     */
    static boolean isTypeSegment(String text) {
        if (text == null || text.isEmpty()) {
            return false;
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean allowed = (c >= 'A' && c <= 'Z')
                    || (c >= 'a' && c <= 'z')
                    || (c >= '0' && c <= '9')
                    || c == '_'
                    || c == '%'
                    || c == '~'
                    || c == '-';
            if (!allowed) {
                return false;
            }
        }
        return true;
    }

    /**
     * The folder of {@code partition} in keys, {@code p} and at least three digits and a slash ({@code p007/},
     * {@code p1234/}), as {@code String.format("p%03d/", partition)} writes it, without a formatter.
     */
    public static String partitionFolder(int partition) {
        if (partition < 0) {
            return String.format("p%03d/", partition);
        }
        return "p" + padded(partition, 3) + "/";
    }

    /** {@code value} in decimal with zeros in front up to {@code width} digits; never negative. */
    private static String padded(long value, int width) {
        String digits = Long.toString(value);
        return digits.length() >= width ? digits : "0".repeat(width - digits.length()) + digits;
    }

    /** The key of the segment of {@code aggregateType} in {@code partition} that starts at {@code firstOffset}. */
    public static SegmentKey of(String aggregateType, int partition, long firstOffset) {
        return new SegmentKey(SafeSegment.of(aggregateType), partition, firstOffset);
    }

    /** The key behind an object key, or empty when the object key does not follow the segment layout. */
    public static Optional<SegmentKey> parse(String objectKey) {
        Matcher matcher = LAYOUT.matcher(objectKey);
        if (!matcher.matches()) {
            return Optional.empty();
        }
        try {
            return Optional.of(new SegmentKey(
                    matcher.group(1), Integer.parseInt(matcher.group(2)), Long.parseLong(matcher.group(3))));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** The prefix shared by every segment of {@code aggregateType} in {@code partition}. */
    public static String chainPrefix(String aggregateType, int partition) {
        return chainPrefixOfSegment(SafeSegment.of(aggregateType), partition);
    }

    /** The prefix shared by every segment of the chain whose type appears as {@code typeSegment} in keys. */
    public static String chainPrefixOfSegment(String typeSegment, int partition) {
        return EVENTS_PREFIX + requireTypeSegment(typeSegment) + "/" + partitionFolder(partition);
    }

    /** The prefix of the chain index entries of {@code partition}. */
    public static String indexPrefix(int partition) {
        return INDEX_PREFIX + partitionFolder(partition);
    }

    /** The chain index entry saying that this key's partition has a chain of this key's type. */
    public String indexEntry() {
        return indexPrefix(partition) + typeSegment;
    }

    /** The chain prefix of the type named by the chain index entry {@code entry} of {@code partition}, if it is one. */
    public static Optional<String> chainPrefixOfIndexEntry(String entry, int partition) {
        String prefix = indexPrefix(partition);
        if (!entry.startsWith(prefix)) {
            return Optional.empty();
        }
        String typeSegment = entry.substring(prefix.length());
        if (!isTypeSegment(typeSegment)) {
            return Optional.empty();
        }
        return Optional.of(chainPrefixOfSegment(typeSegment, partition));
    }

    /** The object key, also the file's path relative to the warm directory. */
    public String value() {
        return EVENTS_PREFIX + typeSegment + "/" + partitionFolder(partition) + padded(firstOffset, 20) + ".avro";
    }

    /** Whether {@code aggregateType} is the type this key was built for. */
    public boolean holds(String aggregateType) {
        return typeSegment.equals(SafeSegment.of(aggregateType));
    }

    @Override
    public String toString() {
        return value();
    }
}
