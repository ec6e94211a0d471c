package io.polyglot.bench;

import java.util.List;
import java.util.Optional;

/**
 * Every stage the bench knows, in the order a full run takes them: those that need the whole stack at its own JVM
 * options first, then {@code memory} (which has the stack run its services with a 256 MiB heap from then on), then the
 * worker stages (which stop the stack's workers and start their own), so that no service is started more often than
 * the stages need. A stage given after {@code memory} on the command line runs on services with its heap.
 */
final class Stages {
    private Stages() {}

    static List<BenchStage> all() {
        return List.of(
                new DecideStage(),
                new IngestSingleStage(),
                new IngestBatchStage(),
                new E2eStage(),
                new FreshnessStage(),
                new MemoryStage(),
                new ArchiveStage(),
                new ProjectStage());
    }

    static Optional<BenchStage> byId(String id) {
        return all().stream().filter(stage -> stage.id().equals(id)).findFirst();
    }
}
