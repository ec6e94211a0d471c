package io.polyglot.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogSliceTest {
    private final Path log = Path.of(System.getProperty("polyglot.root", "."))
            .toAbsolutePath()
            .normalize()
            .resolveSibling("shared")
            .resolve("datasets")
            .resolve(E2eStage.LOG);

    @Test
    void countsTheCasesAndEventsOfTheWholeBpi2012Log() throws Exception {
        // when
        E2eStage.LogSize size = E2eStage.count(log);

        // then
        assertThat(size).isEqualTo(new E2eStage.LogSize(13_087, 262_200));
    }

    @Test
    void slicesTheFirstCasesIntoALogTheBenchReadsLikeTheOriginal(@TempDir Path folder) throws Exception {
        // when
        Path slice = E2eStage.slice(log, folder.resolve("slice.xes.gz"), 10);

        // then
        E2eStage.LogSize size = E2eStage.count(slice);
        assertThat(size.cases()).isEqualTo(10);
        var events = XesLog.read(slice, 1_000_000);
        assertThat(events).hasSize((int) size.events());
        assertThat(events.stream().map(LogEvent::caseId).distinct()).hasSize(10);
        assertThat(events).startsWith(XesLog.read(log, 1).get(0));
    }
}
