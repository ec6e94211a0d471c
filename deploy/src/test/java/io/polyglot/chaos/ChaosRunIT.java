package io.polyglot.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./polyglot chaos --short} as CI runs it: the script as its own process, with a fixed seed, on the jars the
 * reactor has just built ({@code POLYGLOT_SKIP_BUILD=1}). The run starts and removes its own stack; the test reads
 * its exit status and its last line, the summary.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ChaosRunIT {
    private static final long SEED = 20_261_204L;
    private static final Duration BOUND = Duration.ofMinutes(5);
    // the run's own watchdog ends it within the bound; the test waits a little longer to see that happen
    private static final Duration PATIENCE = BOUND.plusSeconds(30);

    private final Path root =
            Path.of(System.getProperty("polyglot.root", ".")).toAbsolutePath().normalize();

    private int exitStatus;
    private String output;
    private Duration took;
    private JsonNode summary;

    @BeforeAll
    void runTheShortChaosRun(@TempDir Path folder) throws IOException, InterruptedException {
        Path log = folder.resolve("chaos.log");
        ProcessBuilder builder = new ProcessBuilder(
                        root.resolve("polyglot").toString(), "chaos", "--short", "--seed", Long.toString(SEED))
                .directory(root.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().put("POLYGLOT_SKIP_BUILD", "1");
        long started = System.nanoTime();
        Process chaos = builder.start();
        if (!chaos.waitFor(PATIENCE.toMillis(), TimeUnit.MILLISECONDS)) {
            // SIGTERM: the run's shutdown hook stops its stack
            chaos.destroy();
            chaos.waitFor(1, TimeUnit.MINUTES);
        }
        took = Duration.ofNanos(System.nanoTime() - started);
        exitStatus = chaos.exitValue();
        output = Files.readString(log, StandardCharsets.UTF_8);
        System.out.println(output);
        List<String> summaries = output.lines()
                .filter(line -> line.startsWith(ChaosRun.SUMMARY_PREFIX))
                .toList();
        assertThat(summaries).as("summary lines of%n%s", output).hasSize(1);
        summary = new ObjectMapper().readTree(summaries.get(0).substring(ChaosRun.SUMMARY_PREFIX.length()));
    }

    @Test
    void passesEveryCheckWithinFiveMinutes() {
        assertThat(exitStatus).as("exit status; output:%n%s", output).isZero();
        assertThat(summary.path("passed").asBoolean()).isTrue();
        assertThat(summary.path("failedChecks")).isEmpty();
        assertThat(took).isLessThanOrEqualTo(BOUND);
    }

    @Test
    void killedEachServiceRestartedTheBrokerAndTookStorageAndDatabaseDown() {
        for (String service : List.of("command-service", "archiver-worker", "projection-worker")) {
            assertThat(summary.at("/kills/" + service).asLong())
                    .as("kills of %s", service)
                    .isPositive();
        }
        assertThat(summary.path("brokerRestarts").asLong()).isPositive();
        assertThat(summary.path("storageOutages").asLong()).isPositive();
        assertThat(summary.path("databaseOutages").asLong()).isPositive();
    }

    @Test
    void lostAndDoubledNoEventOfTheImportedLogs() {
        // helpdesk (21,348 events) and the first 1,500 cases of BPI 2012 (31,927 events)
        assertThat(summary.path("events").asLong()).isEqualTo(21_348L + 31_927L);
        assertThat(summary.path("missingEvents").asLong()).isZero();
        assertThat(summary.path("duplicateEvents").asLong()).isZero();
        assertThat(summary.path("archivedEvents").asLong())
                .isEqualTo(summary.path("events").asLong());
        assertThat(summary.path("commandsAcceptedFirstPass").asLong()).isEqualTo(21_348L + 31_927L);
    }

    @Test
    void comparedEveryViewWithTheFoldOfTheLogFiles() {
        // the eight views of the read model, weather_daily expected empty
        assertThat(summary.path("viewsCompared").asLong()).isEqualTo(8);
        assertThat(summary.path("viewRowsCompared").asLong()).isPositive();
        assertThat(output)
                .contains("view loan_offers equals", "view loan_work_items equals", "view loan_funnel equals");
    }
}
