package io.polyglot.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Commands that start or stop the stack's processes, run as CLI processes of their own at the same time on one home:
 * one waits for the other, or gives up after its bound, rather than both changing the stack at once.
 */
class StackLockTest {
    @TempDir
    Path parent;

    @TempDir
    Path unbuiltRepository;

    private final List<Process> started = new ArrayList<>();
    private final Map<Process, Path> logs = new HashMap<>();

    @AfterEach
    void stopWhatWasStarted() throws InterruptedException {
        for (Process process : started) {
            process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
        PolyglotStack.at(parent.resolve("home"), unbuiltRepository).down(true);
    }

    @Test
    void downWaitsForAnUpThatRunsAndAnotherDownGivesUpAfterItsBoundHavingStoppedNothing() throws Exception {
        // given an up that is starting the servers (it fails after them: the repository has no built jars)
        Path home = parent.resolve("home");
        Process up = cli(home, Map.of(), "up");
        await().atMost(Duration.ofSeconds(60)).until(() -> output(up).contains("Kafka started"));

        // when a down with a bound of 1 s and a down with the default bound start meanwhile
        Process impatient = cli(home, Map.of(PolyglotCli.LOCK_WAIT_SETTING, "1s"), "down");
        Process down = cli(home, Map.of(), "down");

        // then the first gives up, naming the up it waited for, and stopped nothing
        assertThat(impatient.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(output(impatient)).contains("gave up after 1 s waiting for ./polyglot up (pid " + up.pid() + ")");
        assertThat(impatient.exitValue()).isEqualTo(1);
        assertThat(up.isAlive()).isTrue();

        // and the second waits until the up has ended, then stops every server it started
        assertThat(up.waitFor(180, TimeUnit.SECONDS)).isTrue();
        assertThat(down.waitFor(180, TimeUnit.SECONDS)).isTrue();
        assertThat(output(up)).contains("S3Proxy started").doesNotContain("stopped");
        assertThat(output(down))
                .contains("Waiting for ./polyglot up (pid " + up.pid() + ") to finish with the stack in " + home)
                .contains("Kafka stopped", "PostgreSQL stopped", "S3Proxy stopped");
        assertThat(down.exitValue()).isZero();
        assertThat(PolyglotStack.at(home, unbuiltRepository).status())
                .filteredOn(component -> List.of("kafka", "postgres", "s3").contains(component.name()))
                .extracting(ComponentStatus::health)
                .containsOnly(ComponentStatus.Health.DOWN);
    }

    private Process cli(Path home, Map<String, String> settings, String... args) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // The servers' jars come from the repository the build runs in; the services' jars from nowhere.
        List<String> command = new ArrayList<>(List.of(
                java,
                "-Dpolyglot.root=" + System.getProperty("polyglot.root"),
                "-cp",
                System.getProperty("java.class.path"),
                PolyglotCli.class.getName()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().put("POLYGLOT_HOME", home.toString());
        builder.environment().put("POLYGLOT_ROOT", unbuiltRepository.toString());
        builder.environment().remove(PolyglotCli.LOCK_WAIT_SETTING);
        builder.environment().putAll(settings);
        builder.redirectErrorStream(true);
        Path log = parent.resolve(String.join("-", args) + "-" + started.size() + ".log");
        builder.redirectOutput(log.toFile());
        Process process = builder.start();
        started.add(process);
        logs.put(process, log);
        return process;
    }

    private String output(Process process) throws IOException {
        return Files.readString(logs.get(process));
    }
}
