package io.polyglot.archiver;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.IntFunction;

/**
 * Decides which offsets may be committed: for each partition, the offset of the oldest event not yet durably stored
 * (the first offset of its oldest open or unsent segment), or the consumer's position when every event read so far
 * is stored. A commit only ever moves forward, and a blocked partition (one whose chain diverged) is never committed,
 * nor is a held one (one whose open segments were sealed early because this instance releases it).
 */
final class OffsetTracker {

    private final Map<Integer, Long> committed = new HashMap<>();
    private final Set<Integer> blocked = new HashSet<>();
    private final Set<Integer> held = new HashSet<>();

    /**
     * The offsets to commit now, by partition.
     *
     * @param positions the consumer's position (next offset to read) of each assigned partition
     * @param oldestNotStored the first offset of the oldest segment of a partition that is not durably stored yet
     */
    Map<Integer, Long> toCommit(Map<Integer, Long> positions, IntFunction<OptionalLong> oldestNotStored) {
        Map<Integer, Long> offsets = new TreeMap<>();
        positions.forEach((partition, position) -> {
            if (blocked.contains(partition) || held.contains(partition)) {
                return;
            }
            OptionalLong oldest = oldestNotStored.apply(partition);
            long offset = oldest.isPresent() ? Math.min(oldest.getAsLong(), position) : position;
            Long last = committed.get(partition);
            if (last == null || offset > last) {
                offsets.put(partition, offset);
            }
        });
        return offsets;
    }

    /** Records that {@code offsets} were committed. */
    void committed(Map<Integer, Long> offsets) {
        offsets.forEach((partition, offset) -> committed.merge(partition, offset, Math::max));
    }

    /** The last offset committed for {@code partition} by this tracker, empty before the first commit. */
    OptionalLong lastCommitted(int partition) {
        Long offset = committed.get(partition);
        return offset == null ? OptionalLong.empty() : OptionalLong.of(offset);
    }

    /** Stops committing {@code partition}: its chain diverged and its offsets must stay where they are. */
    void block(int partition) {
        blocked.add(partition);
    }

    /**
     * Commits nothing more of {@code partition} until it is released: its open segments were sealed early because
     * this instance lets the partition go, and the next owner learns from storage, not from the committed offset,
     * that they are stored, so an early cut never stands for events a commit skipped.
     */
    void hold(int partition) {
        held.add(partition);
    }

    boolean isBlocked(int partition) {
        return blocked.contains(partition);
    }

    /** Whether any partition is blocked. */
    boolean anyBlocked() {
        return !blocked.isEmpty();
    }

    /** Forgets {@code partition}, which this consumer no longer owns. */
    void release(int partition) {
        committed.remove(partition);
        blocked.remove(partition);
        held.remove(partition);
    }
}
