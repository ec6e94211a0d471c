package io.polyglot.bench;

import java.util.List;
import java.util.Optional;

/** Every stage the bench knows, in the order a full run takes them. */
final class Stages {
    private Stages() {}

    static List<BenchStage> all() {
        return List.of(
                new DecideStage(),
                new IngestSingleStage(),
                new IngestBatchStage(),
                new ArchiveStage(),
                new ProjectStage());
    }

    static Optional<BenchStage> byId(String id) {
        return all().stream().filter(stage -> stage.id().equals(id)).findFirst();
    }
}
