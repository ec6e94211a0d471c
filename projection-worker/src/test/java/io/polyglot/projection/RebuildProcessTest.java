package io.polyglot.projection;

import static org.assertj.core.api.Assertions.as;
import static org.assertj.core.api.Assertions.assertThat;

import io.polyglot.stack.FreePorts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.Test;

/**
 * The rebuild as {@code ./polyglot projection rebuild} runs it: {@code java -cp projection-worker.jar
 * io.polyglot.projection.rebuild.RebuildMain VIEW...}; failsafe runs it once the jar is built.
 */
class RebuildProcessTest extends WorkersOnKafkaAndPostgres {

    private static final String MAIN = "io.polyglot.projection.rebuild.RebuildMain";

    @Test
    void rebuildsANamedViewBesideALiveWorkerAndSaysSoOnStderr() throws Exception {
        // given a live worker that projected a log
        SyntheticLog eventLog = projectedByALiveWorker(SyntheticLog.generate(51, 40, 30));

        // when
        Path stderr = dataDir.resolve("rebuild-" + workers.group() + ".err");
        Process rebuild = launch(List.of("loan_applications"), Map.of(), stderr);

        // then
        assertThat(rebuild.waitFor(3, TimeUnit.MINUTES)).isTrue();
        assertThat(rebuild.exitValue()).as(Files.readString(stderr)).isZero();
        assertThat(Files.readString(stderr))
                .contains("rebuild: rebuilding loan_applications from 3 partitions")
                .contains("rebuild: swapped in loan_application at offsets")
                .contains("{loan_application=0}");
        workers.awaitViewsEqualTheFoldOf(eventLog);
    }

    @Test
    void refusesAnUnknownViewWithExitStatusThree() throws Exception {
        // when
        Path stderr = dataDir.resolve("refused-" + workers.group() + ".err");
        Process rebuild = launch(List.of("invoices"), Map.of(), stderr);

        // then
        assertThat(rebuild.waitFor(3, TimeUnit.MINUTES)).isTrue();
        assertThat(rebuild.exitValue()).isEqualTo(3);
        assertThat(Files.readString(stderr)).contains("rebuild: refused: no view invoices can be rebuilt");
    }

    @Test
    void printsItsOwnProgressLinesOnStderrWithNoLibraryInfoLinesAndNothingOnStdout() throws Exception {
        // given a live worker that projected a small log, and a read model the rebuild migrates again
        projectedByALiveWorker(SyntheticLog.generate(52, 5, 5));
        Path stderr = dataDir.resolve("quiet-" + workers.group() + ".err");
        Path stdout = dataDir.resolve("quiet-" + workers.group() + ".out");

        // when
        Process rebuild = launch(List.of("loan_applications"), Map.of(), stderr, stdout);

        // then
        assertThat(rebuild.waitFor(3, TimeUnit.MINUTES)).isTrue();
        assertThat(rebuild.exitValue()).as(Files.readString(stderr)).isZero();
        assertThat(Files.readString(stdout)).isEmpty();
        assertThat(Files.readAllLines(stderr))
                .contains("rebuild: caught up with the live worker; swapping in one transaction")
                .noneMatch(line -> line.startsWith("INFO") || line.contains(" INFO "))
                .noneMatch(line -> line.toLowerCase(Locale.ROOT).contains("flyway"));
    }

    @Test
    void givesUpWithExitStatusFourWhenASessionWithoutATimeoutHoldsAViewLongerThanTheSwapMayWait() throws Exception {
        // given a live worker that projected a log, and a session of the worker's own login that turned its statement
        // timeout off and runs a long query of a view
        projectedByALiveWorker(SyntheticLog.generate(53, 20, 10));
        try (Connection session = servers.database().dataSource().getConnection();
                Statement longQuery = session.createStatement()) {
            longQuery.execute("set statement_timeout = 0");
            int pid = pidOf(longQuery);
            CompletableFuture<Void> running = CompletableFuture.runAsync(() -> {
                try {
                    longQuery.execute("select count(*), pg_sleep(600) from helpdesk_tickets");
                } catch (SQLException e) {
                    // Cancelled at the end of the test.
                }
            });
            Path stderr = dataDir.resolve("gave-up-" + workers.group() + ".err");

            // when
            Process rebuild = launch(
                    List.of("helpdesk_tickets"),
                    Map.of("REBUILD_SWAP_LOCK_TIMEOUT", "300ms", "REBUILD_SWAP_MAX_WAIT", "3s"),
                    stderr);

            // then it names the session and when its query started, and exits 4 with the old view in place
            boolean exited = rebuild.waitFor(3, TimeUnit.MINUTES);
            if (!exited) {
                rebuild.destroyForcibly();
            }
            longQuery.cancel();
            running.get(1, TimeUnit.MINUTES);
            assertThat(exited).isTrue();
            assertThat(rebuild.exitValue()).as(Files.readString(stderr)).isEqualTo(4);
            assertThat(Files.readString(stderr))
                    .containsPattern("rebuild: swap try 1 waited 300 ms for the views it replaces, held by pid " + pid
                            + " \\(polyglot, active since 20\\d\\d-")
                    .contains("rebuild: gave up: the swap could not lock the views it replaces")
                    .contains("the old views serve on as they were and the rebuilt copies were dropped");
            try (Statement statement = session.createStatement();
                    ResultSet rows = statement.executeQuery("select count(*) from helpdesk_tickets")) {
                rows.next();
                assertThat(rows.getLong(1)).isPositive();
            }
        }
    }

    @Test
    void saysInOneLineThatTheDatabaseCannotBeReachedAndExitsTwo() throws Exception {
        // given a database URL with a port nobody listens on, as of a stack that was stopped
        int port = FreePorts.pick();
        String nowhere = "postgresql://polyglot:secret@127.0.0.1:" + port + "/polyglot";
        Path stderr = dataDir.resolve("unreachable-" + workers.group() + ".err");
        Path stdout = dataDir.resolve("unreachable-" + workers.group() + ".out");

        // when
        Process rebuild = launch(List.of(), Map.of("DATABASE_URL", nowhere), stderr, stdout);

        // then
        assertThat(rebuild.waitFor(3, TimeUnit.MINUTES)).isTrue();
        assertThat(rebuild.exitValue()).as(Files.readString(stderr)).isEqualTo(2);
        assertThat(Files.readString(stdout)).isEmpty();
        assertThat(Files.readAllLines(stderr))
                .singleElement(as(InstanceOfAssertFactories.STRING))
                .startsWith("rebuild: could not run: the database at 127.0.0.1:" + port + " cannot be reached: ")
                .doesNotContain("Exception")
                .doesNotContain("secret");
    }

    private static int pidOf(Statement session) throws SQLException {
        try (ResultSet result = session.executeQuery("select pg_backend_pid()")) {
            result.next();
            return result.getInt(1);
        }
    }

    private SyntheticLog projectedByALiveWorker(SyntheticLog eventLog) {
        eventLog.produceTo(servers.bootstrapServers(), workers.topic());
        workers.start(50);
        workers.awaitViewsEqualTheFoldOf(eventLog);
        return eventLog;
    }

    private Process launch(List<String> views, Map<String, String> settings, Path stderr) throws IOException {
        return launch(views, settings, stderr, ProcessBuilder.Redirect.DISCARD);
    }

    private Process launch(List<String> views, Map<String, String> settings, Path stderr, Path stdout)
            throws IOException {
        return launch(views, settings, stderr, ProcessBuilder.Redirect.to(stdout.toFile()));
    }

    private Process launch(
            List<String> views, Map<String, String> settings, Path stderr, ProcessBuilder.Redirect stdout)
            throws IOException {
        Path jar = Path.of(System.getProperty("polyglot.root"), "projection-worker", "target", "projection-worker.jar");
        assertThat(jar)
                .as("the worker's jar; build it with mvn -o -q -pl projection-worker package -DskipTests")
                .isRegularFile();
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp", jar.toString(), MAIN));
        command.addAll(views);
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().clear();
        builder.environment().putAll(workers.environment(100, Map.of("AWS_EC2_METADATA_DISABLED", "true")));
        builder.environment().putAll(settings);
        builder.redirectOutput(stdout);
        builder.redirectError(stderr.toFile());
        return builder.start();
    }
}
