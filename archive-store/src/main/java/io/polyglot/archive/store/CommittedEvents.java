package io.polyglot.archive.store;

import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a read-committed consumer of {@code events.all} returned, per partition up to an end offset: each record's
 * offset and the aggregate type its {@code aggregateType} header names. {@link ArchiveVerifier} checks that the
 * archive covers exactly these offsets.
 *
 * <p>The caller reads the topic (this module knows no Kafka types) and reads it before the archive is listed, so every
 * offset below an end offset was there when the listing began; offsets from an end offset on are newer than the
 * snapshot and not checked.
 */
public final class CommittedEvents {

    private final Map<Integer, Partition> partitions = new TreeMap<>();

    /** Notes that the consumer read {@code partition} up to, not including, {@code endOffset}. */
    public CommittedEvents readUpTo(int partition, long endOffset) {
        partitionOf(partition).endOffset = endOffset;
        return this;
    }

    /** Adds the record at {@code offset} of {@code partition}, of {@code aggregateType} (null when it names none). */
    public CommittedEvents add(int partition, long offset, String aggregateType) {
        partitionOf(partition).add(offset, aggregateType);
        return this;
    }

    /** The partitions read, in order. */
    public Iterable<Integer> partitions() {
        return partitions.keySet();
    }

    /** How many records were read in all. */
    public long count() {
        return partitions.values().stream().mapToLong(p -> p.size).sum();
    }

    /** The end offset {@code partition} was read up to; 0 when it was not read. */
    public long endOffset(int partition) {
        Partition read = partitions.get(partition);
        return read == null ? 0 : read.endOffset;
    }

    /** How many records {@code partition} returned. */
    int size(int partition) {
        Partition read = partitions.get(partition);
        return read == null ? 0 : read.size;
    }

    /** The offset of the {@code index}th record of {@code partition}, in the order they were added. */
    long offset(int partition, int index) {
        return partitions.get(partition).offsets[index];
    }

    /** The aggregate type of the {@code index}th record of {@code partition}; null when the record named none. */
    String aggregateType(int partition, int index) {
        return partitions.get(partition).types[index];
    }

    private Partition partitionOf(int partition) {
        if (partition < 0) {
            throw new IllegalArgumentException("a partition is never negative, got " + partition);
        }
        return partitions.computeIfAbsent(partition, p -> new Partition());
    }

    /** Grows by doubling: a partition of a large import holds hundreds of thousands of records. */
    private static final class Partition {
        private long endOffset;
        private long[] offsets = new long[64];
        private String[] types = new String[64];
        private int size;

        void add(long offset, String aggregateType) {
            if (offset < 0) {
                throw new IllegalArgumentException("an offset is never negative, got " + offset);
            }
            if (size == offsets.length) {
                offsets = Arrays.copyOf(offsets, size * 2);
                types = Arrays.copyOf(types, size * 2);
            }
            offsets[size] = offset;
            types[size] = aggregateType;
            size++;
            endOffset = Math.max(endOffset, offset + 1);
        }
    }
}
