package io.polyglot.projection;

import io.polyglot.projection.domain.ReadModelBatch;
import java.util.Collection;
import java.util.Map;
import java.util.function.Consumer;

/** A real store that hands every batch it commits to {@code onCommit}, on the thread that applied it. */
class RecordingStore implements ReadModelStore {

    private final ReadModelStore real;
    private final Consumer<ReadModelBatch> onCommit;

    RecordingStore(ReadModelStore real, Consumer<ReadModelBatch> onCommit) {
        this.real = real;
        this.onCommit = onCommit;
    }

    @Override
    public Map<Integer, Long> storedOffsets(String topic, Collection<Integer> partitions) {
        return real.storedOffsets(topic, partitions);
    }

    @Override
    public BatchOutcome apply(ReadModelBatch batch) {
        BatchOutcome outcome = real.apply(batch);
        if (outcome instanceof Applied) {
            onCommit.accept(batch);
        }
        return outcome;
    }
}
