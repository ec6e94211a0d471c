package io.polyglot.bench;

import java.util.List;
import java.util.Optional;

/**
 * Every stage the bench knows, in the order a full run takes them: those that need the whole stack first, then the
 * worker stages (which stop the stack's workers), then {@code memory} (which replaces the stack's services with copies
 * of its own), so that the stack is started again as seldom as possible.
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
                new ArchiveStage(),
                new ProjectStage(),
                new MemoryStage());
    }

    static Optional<BenchStage> byId(String id) {
        return all().stream().filter(stage -> stage.id().equals(id)).findFirst();
    }
}
