package io.polyglot.archive.store;

import io.polyglot.schemas.UndecodableRecordException;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The stored decisions about a group's dead letters (see {@link DeadLetterResolution}) and the archive's late
 * segments, as the archiver's admin endpoints and the verifier read them.
 */
public final class DeadLetterResolutions {

    private final ArchiveStore store;

    /** The decisions stored in {@code store}. */
    public DeadLetterResolutions(ArchiveStore store) {
        this.store = store;
    }

    /**
     * Stores {@code resolution} unless a decision about that dead letter is stored already.
     *
     * @return whether this call stored it
     * @throws ArchiveStoreException when the store cannot be reached
     */
    public boolean record(DeadLetterResolution resolution) {
        return store.putJsonIfAbsent(resolution.key(), resolution.toJson());
    }

    /** The decision about the dead letter of {@code group} at {@code sourceOffset} of {@code partition}, if any. */
    public Optional<DeadLetterResolution> find(String group, int partition, long sourceOffset) {
        String key = DeadLetterResolution.key(group, partition, sourceOffset);
        return store.list(key).contains(key) ? Optional.of(read(key)) : Optional.empty();
    }

    /**
     * Every decision of {@code group}, by source partition and offset; an object under the group's folder that is
     * not a decision is handed to {@code problems}.
     */
    public Map<SourceOffset, DeadLetterResolution> all(String group, List<String> problems) {
        Map<SourceOffset, DeadLetterResolution> all = new TreeMap<>();
        for (String key : store.list(DeadLetterResolution.folder(group))) {
            try {
                DeadLetterResolution resolution = read(key);
                if (!resolution.key().equals(key)) {
                    problems.add(key + " holds the decision about another dead letter, " + resolution.key() + ".");
                    continue;
                }
                all.put(new SourceOffset(resolution.partition(), resolution.sourceOffset()), resolution);
            } catch (UndecodableRecordException e) {
                problems.add(key + " is not a dead-letter decision: " + e.getMessage());
            }
        }
        return all;
    }

    /** Every late segment of the archive, by source partition and offset. */
    public Map<SourceOffset, LateSegmentKey> lateSegments() {
        Map<SourceOffset, LateSegmentKey> late = new TreeMap<>();
        for (String key : store.list(SegmentKey.EVENTS_PREFIX)) {
            LateSegmentKey.parse(key)
                    .ifPresent(parsed -> late.put(new SourceOffset(parsed.partition(), parsed.sourceOffset()), parsed));
        }
        return late;
    }

    private DeadLetterResolution read(String key) {
        try (InputStream in = store.get(key)) {
            return DeadLetterResolution.fromJson(in.readAllBytes());
        } catch (IOException e) {
            throw new ArchiveStoreException("cannot read " + key, true, e);
        }
    }

    /**
     * A source partition and offset of {@code events.all}.
     *
     * @param partition the partition
     * @param offset the offset
     */
    public record SourceOffset(int partition, long offset) implements Comparable<SourceOffset> {
        @Override
        public int compareTo(SourceOffset other) {
            int byPartition = Integer.compare(partition, other.partition);
            return byPartition != 0 ? byPartition : Long.compare(offset, other.offset);
        }
    }
}
