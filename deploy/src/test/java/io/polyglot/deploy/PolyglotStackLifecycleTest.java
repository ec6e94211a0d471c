package io.polyglot.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PolyglotStackLifecycleTest {
    @TempDir
    Path parent;

    @TempDir
    Path unbuiltRepository;

    @Test
    void restartsACrashedServerOnItsPortAndStopsEverythingOnDown() {
        // given
        Path home = parent.resolve("home");
        PolyglotStack stack = PolyglotStack.at(home, unbuiltRepository);
        catchThrowable(stack::up);
        ComponentStatus s3 = component(stack.status(), "s3");
        ProcessHandle.of(s3.pid()).orElseThrow().destroyForcibly();
        await().atMost(Duration.ofSeconds(30))
                .until(() -> component(stack.status(), "s3").health() == ComponentStatus.Health.DOWN);

        // when
        catchThrowable(stack::up);
        List<ComponentStatus> restarted = stack.status();
        stack.down(true);

        // then
        assertThat(component(restarted, "s3").health()).isEqualTo(ComponentStatus.Health.UP);
        assertThat(component(restarted, "s3").pid()).isNotEqualTo(s3.pid());
        assertThat(component(restarted, "s3").port()).isEqualTo(s3.port());
        for (String server : List.of("kafka", "postgres", "s3")) {
            assertThat(ProcessHandle.of(component(restarted, server).pid()))
                    .as("process of %s after down", server)
                    .isEmpty();
        }
        assertThat(home).doesNotExist();
    }

    @Test
    void archiveVerifySaysItCouldNotRunAndExitsTwoWhenTheStackIsDown() {
        // given: a stack that ran and was stopped, its ports and credentials kept
        Path home = parent.resolve("stopped");
        PolyglotStack stack = PolyglotStack.at(home, unbuiltRepository);
        catchThrowable(stack::up);
        stack.down(false);

        // when
        CliRun run = CliRun.of(home, unbuiltRepository, "archive", "verify");
        stack.down(true);

        // then
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
        assertThat(run.out()).isEmpty();
        assertThat(run.err())
                .contains("archive verify could not run")
                .contains("is not running: S3Proxy at 127.0.0.1:")
                .contains("start it with ./polyglot up");
    }

    private static ComponentStatus component(List<ComponentStatus> status, String name) {
        return status.stream()
                .filter(component -> component.name().equals(name))
                .findFirst()
                .orElseThrow();
    }
}
