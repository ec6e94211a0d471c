package io.polyglot.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DetachedProcessTest {
    @TempDir
    Path dir;

    @Test
    void passesItsEnvironmentAndLogsOutputToTheLogFile() {
        // given
        Path log = dir.resolve("logs").resolve("echo.log");

        // when
        DetachedProcess process = DetachedProcess.start(
                List.of("bash", "-c", "echo \"bootstrap=$KAFKA_BOOTSTRAP_SERVERS\""),
                Map.of("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:1234"),
                dir,
                log,
                dir.resolve("echo.pid"));

        // then
        await().atMost(Duration.ofSeconds(10)).until(() -> !process.isAlive());
        assertThat(log).content().isEqualTo("bootstrap=127.0.0.1:1234\n");
        assertThat(dir.resolve("echo.pid")).content().isEqualTo(process.pid() + "\n");
    }

    @Test
    void attachesOnlyToALiveProcessWhoseCommandLineCarriesTheMarker() {
        // given
        DetachedProcess sleeper =
                DetachedProcess.start(List.of("sleep", "300"), dir, dir.resolve("sleep.log"), dir.resolve("sleep.pid"));

        // when
        boolean attachedByMarker = DetachedProcess.attach(dir.resolve("sleep.pid"), "sleep", dir.resolve("sleep.log"))
                .isPresent();
        boolean attachedByOtherMarker = DetachedProcess.attach(
                        dir.resolve("sleep.pid"), "kafka.Kafka", dir.resolve("sleep.log"))
                .isPresent();
        sleeper.stop(Duration.ofSeconds(10));

        // then
        assertThat(attachedByMarker).isTrue();
        assertThat(attachedByOtherMarker).isFalse();
        assertThat(ProcessHandle.of(sleeper.pid())).isEmpty();
        assertThat(DetachedProcess.attach(dir.resolve("sleep.pid"), "sleep", dir.resolve("sleep.log")))
                .isEmpty();
    }

    @Test
    void isRecognisedByItsMarkerRightAfterItWasStarted() {
        // given: the moment a status check right after up meets, when the child may still be the JVM's spawn helper
        for (int round = 0; round < 40; round++) {
            Path pidFile = dir.resolve("sleep-" + round + ".pid");
            DetachedProcess sleeper =
                    DetachedProcess.start(List.of("sleep", "300"), dir, dir.resolve("sleep.log"), pidFile);

            // when
            boolean attached = DetachedProcess.attach(pidFile, "sleep", dir.resolve("sleep.log"))
                    .isPresent();
            sleeper.stop(Duration.ofSeconds(10));

            // then
            assertThat(attached).as("round %d", round).isTrue();
        }
    }

    @Test
    void isRecognisedByItsLastArgumentRightAfterItWasStartedThoughItsProgramIsNamedLikeTheSpawnHelpersFolder()
            throws Exception {
        // given a program called java, as every service is: the JVM's spawn helper lives under a JDK folder whose
        // name holds "java" too, so only an argument of ours tells the helper and the child apart
        Path program = java.nio.file.Files.createDirectories(dir.resolve("bin")).resolve("java");
        java.nio.file.Files.createSymbolicLink(program, Path.of("/bin/sleep"));
        for (int round = 0; round < 40; round++) {
            Path pidFile = dir.resolve("java-" + round + ".pid");
            String marker = String.format("0.%04d", round + 1);
            DetachedProcess sleeper = DetachedProcess.start(
                    List.of(program.toString(), "300", marker), dir, dir.resolve("java.log"), pidFile);

            // when
            boolean attached = DetachedProcess.attach(pidFile, marker, dir.resolve("java.log"))
                    .isPresent();
            sleeper.stop(Duration.ofSeconds(10));

            // then
            assertThat(attached).as("round %d", round).isTrue();
        }
    }
}
