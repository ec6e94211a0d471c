package io.polyglot.archive.store;

import java.util.Map;
import java.util.NavigableSet;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The offsets of {@code events.all} that the archiver's group has dead letters for in {@code events.dlq}, per
 * partition, deduplicated. {@link ArchiveVerifier} counts them as accounted for (pending, skipped, or retried into a
 * late segment). The caller reads the dead-letter topic (this module knows no Kafka types), after reading
 * {@code events.all}, so every dead letter of an offset that was read is there.
 */
public final class DeadLetteredOffsets {

    private final Map<Integer, NavigableSet<Long>> offsets = new TreeMap<>();

    /** Adds the dead letter of {@code offset} of {@code partition}; a second one of the same offset changes nothing. */
    public DeadLetteredOffsets add(int partition, long offset) {
        if (partition < 0 || offset < 0) {
            throw new IllegalArgumentException(
                    "a partition and an offset are never negative, got " + partition + "/" + offset);
        }
        offsets.computeIfAbsent(partition, p -> new TreeSet<>()).add(offset);
        return this;
    }

    /** Whether the group has a dead letter of {@code offset} of {@code partition}. */
    public boolean contains(int partition, long offset) {
        Set<Long> of = offsets.get(partition);
        return of != null && of.contains(offset);
    }

    /** How many dead-lettered offsets there are in all. */
    public long count() {
        return offsets.values().stream().mapToLong(Set::size).sum();
    }

    /** The dead-lettered offsets of {@code partition}, in order. */
    public NavigableSet<Long> of(int partition) {
        return java.util.Collections.unmodifiableNavigableSet(offsets.getOrDefault(partition, new TreeSet<>()));
    }

    /** The partitions with dead letters, in order. */
    public Set<Integer> partitions() {
        return java.util.Collections.unmodifiableSet(offsets.keySet());
    }
}
