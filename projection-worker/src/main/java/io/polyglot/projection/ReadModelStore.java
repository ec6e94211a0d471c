package io.polyglot.projection;

import io.polyglot.projection.domain.ReadModelBatch;
import java.util.Collection;
import java.util.Map;

/**
 * Where the read model and the offsets of one consumer group live. The worker's only door to the database, so the
 * poll loop never sees SQL.
 */
public interface ReadModelStore {

    /**
     * The stored next offset of each of these partitions that has one.
     *
     * @throws ReadModelUnavailableException when the database cannot be reached; retrying later is safe
     */
    Map<Integer, Long> storedOffsets(String topic, Collection<Integer> partitions);

    /**
     * Applies a batch and its offset advances in one transaction: all of it, or, when another instance moved a
     * partition's stored offset since the batch was read, none of it.
     *
     * @throws ReadModelUnavailableException when the database cannot be reached, keeps refusing the transaction for
     *     transient reasons, or fails for any reason that is not in the batch's rows; nothing was applied and retrying
     *     the same batch is safe
     * @throws ReadModelWriteException when the database refuses the batch's rows for good; nothing was applied
     */
    BatchOutcome apply(ReadModelBatch batch);

    /** What became of a batch. */
    sealed interface BatchOutcome permits Applied, Fenced {}

    /** The batch and its offsets are committed. */
    record Applied() implements BatchOutcome {}

    /**
     * Nothing was applied: the stored offset of {@code partition} is no longer the one the batch started from, so
     * another instance owns the partition now or applied these events already.
     */
    record Fenced(int partition) implements BatchOutcome {}
}
