package io.polyglot.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./polyglot chaos --short} stopped by a signal as its imports start, as Ctrl-C or a CI timeout stops it: its
 * shutdown hook stops the stack while the main thread goes on with the fault schedule, whose first fault comes a few
 * seconds later and whose recovery wants to start the stack again. The recovery either
 * finishes first, and the hook then stops what it started, or finds the clean-up begun and starts nothing; and the
 * run's last check, that none of its processes still runs, is made only once they are stopped. Before, the recovery
 * could start services after the hook's stop, and the check ran beside the stop and reported the stack's own
 * processes as left running.
 */
class InterruptedChaosRunIT {

    private static final Pattern PID = Pattern.compile("\\(pids? \\[?(\\d+)");

    private final Path root =
            Path.of(System.getProperty("polyglot.root", ".")).toAbsolutePath().normalize();

    @Test
    void stopsItsStackBeforeItChecksThatNoProcessIsLeftRunning(@TempDir Path folder) throws Exception {
        // given: a short run whose imports have started
        Path log = folder.resolve("chaos.log");
        ProcessBuilder builder = new ProcessBuilder(root.resolve("polyglot").toString(), "chaos", "--short")
                .directory(root.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().put("POLYGLOT_SKIP_BUILD", "1");
        Process chaos = builder.start();
        try {
            await().atMost(Duration.ofMinutes(4))
                    .until(() -> !chaos.isAlive() || read(log).contains("import pass 1"));
            assertThat(chaos.isAlive())
                    .as("the run ended before its imports:%n%s", read(log))
                    .isTrue();

            // when: SIGTERM, which runs the same shutdown hook as Ctrl-C
            chaos.destroy();
            assertThat(chaos.waitFor(2, TimeUnit.MINUTES)).isTrue();
        } finally {
            chaos.destroyForcibly();
        }

        // then
        String output = read(log);
        System.out.println(output);
        assertThat(output).contains("stack stopped and").doesNotContain("FAIL no process left running");
        List<Long> pids = pids(output);
        assertThat(pids).as("pids the run printed").isNotEmpty();
        assertThat(pids)
                .as("pids still running")
                .noneMatch(
                        pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
    }

    private static List<Long> pids(String output) {
        Matcher matcher = PID.matcher(output);
        List<Long> pids = new ArrayList<>();
        while (matcher.find()) {
            pids.add(Long.parseLong(matcher.group(1)));
        }
        return pids;
    }

    private static String read(Path log) throws IOException {
        return Files.isRegularFile(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
    }
}
