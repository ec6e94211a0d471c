package io.polyglot.archive.store;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The manifest of one chain as {@link ArchiveVerifier} reads it, part after part: which segments it lists, which
 * offsets it says held nothing of the chain's type, and whether the two together account for every offset of the
 * partition from 0 to the chain's last listed offset exactly once.
 */
final class ManifestChain {

    private final String prefix;
    private final String typeSegment;
    private final int partition;
    private final Set<String> listed = new HashSet<>();
    private final List<ManifestPart.OffsetRange> accounted = new ArrayList<>();
    private final List<ManifestPart.OffsetRange> empty = new ArrayList<>();
    private long lastOffset = -1;
    private boolean emptySorted = true;

    /** The chain whose parts live under {@code prefix}, {@code manifests/{type}/p{partition:03}/}. */
    ManifestChain(String prefix) {
        this.prefix = prefix;
        String[] folders =
                prefix.substring(ManifestPart.MANIFESTS_PREFIX.length()).split("/");
        this.typeSegment = folders[0];
        this.partition = Integer.parseInt(folders[1].substring(1));
    }

    int partition() {
        return partition;
    }

    /** Whether this is the chain of the aggregate type that appears as {@code typeSegment} in keys. */
    boolean isOf(String typeSegment) {
        return this.typeSegment.equals(typeSegment);
    }

    String prefix() {
        return prefix;
    }

    /** The prefix of the chain's segments, {@code events/{type}/p{partition:03}/}. */
    String segmentPrefix() {
        return SegmentKey.EVENTS_PREFIX + prefix.substring(ManifestPart.MANIFESTS_PREFIX.length());
    }

    /** The last offset the manifest accounts for; -1 when it lists no segment. */
    long lastOffset() {
        return lastOffset;
    }

    boolean lists(String segmentKey) {
        return listed.contains(segmentKey);
    }

    /** Adds the part stored at {@code key}, checking it against the stored {@code segments}. */
    void add(
            String key, ManifestPart part, Map<String, ArchiveVerifier.StoredSegment> segments, List<String> problems) {
        if (!part.key().equals(key)) {
            problems.add(key + " says it is " + part.key() + ".");
        }
        for (ManifestPart.Entry entry : part.segments()) {
            listed.add(entry.key());
            lastOffset = Math.max(lastOffset, entry.lastOffset());
            ArchiveVerifier.StoredSegment stored = segments.get(entry.key());
            if (!entry.key().startsWith(segmentPrefix())) {
                problems.add(key + " lists " + entry.key() + ", a segment of another chain.");
            } else if (stored == null) {
                problems.add(key + " lists " + entry.key() + ", which is not stored (or not a sound segment).");
            } else {
                compare(key, entry, stored.meta(), problems);
                ArchiveVerifier.ranges(stored.offsets()).forEach(accounted::add);
            }
        }
        accounted.addAll(part.emptyRanges());
        empty.addAll(part.emptyRanges());
        emptySorted = false;
    }

    /** Whether the manifest says {@code offset} held no event of the chain's type. */
    boolean accountsAsEmpty(long offset) {
        if (!emptySorted) {
            empty.sort(Comparator.comparingLong(ManifestPart.OffsetRange::first));
            emptySorted = true;
        }
        int low = 0;
        int high = empty.size() - 1;
        while (low <= high) {
            int middle = (low + high) >>> 1;
            ManifestPart.OffsetRange range = empty.get(middle);
            if (offset < range.first()) {
                high = middle - 1;
            } else if (offset > range.last()) {
                low = middle + 1;
            } else {
                return true;
            }
        }
        return false;
    }

    /** Reports the offsets up to the chain's last that no part accounts for, and those accounted for twice. */
    void checkAccounting(List<String> problems) {
        accounted.sort(Comparator.comparingLong(ManifestPart.OffsetRange::first));
        List<ManifestPart.OffsetRange> gaps = new ArrayList<>();
        List<ManifestPart.OffsetRange> twice = new ArrayList<>();
        long next = 0;
        for (ManifestPart.OffsetRange range : accounted) {
            if (range.first() > next) {
                gaps.add(new ManifestPart.OffsetRange(next, range.first() - 1));
            } else if (range.first() < next) {
                twice.add(new ManifestPart.OffsetRange(range.first(), Math.min(range.last(), next - 1)));
            }
            next = Math.max(next, range.last() + 1);
        }
        if (next <= lastOffset) {
            gaps.add(new ManifestPart.OffsetRange(next, lastOffset));
        }
        if (!gaps.isEmpty()) {
            problems.add(prefix + " accounts for offsets " + ArchiveVerifier.describe(gaps)
                    + " neither as a segment's event nor as empty.");
        }
        if (!twice.isEmpty()) {
            problems.add(prefix + " accounts for offsets " + ArchiveVerifier.describe(twice) + " twice.");
        }
    }

    private static void compare(String key, ManifestPart.Entry entry, SegmentMetadata meta, List<String> problems) {
        if (!entry.sha256().equals(meta.sha256())) {
            problems.add(key + " records SHA-256 " + entry.sha256() + " for " + entry.key() + ", which is stored with "
                    + meta.sha256() + ".");
        }
        if (entry.firstOffset() != meta.firstOffset()
                || entry.lastOffset() != meta.lastOffset()
                || entry.eventCount() != meta.eventCount()) {
            problems.add(key + " records offsets " + entry.firstOffset() + ".." + entry.lastOffset() + " ("
                    + entry.eventCount() + " events) for " + entry.key() + ", which is stored with "
                    + meta.firstOffset() + ".." + meta.lastOffset() + " (" + meta.eventCount() + " events).");
        }
    }
}
