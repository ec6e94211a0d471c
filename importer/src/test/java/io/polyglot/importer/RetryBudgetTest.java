package io.polyglot.importer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.polyglot.importer.testing.Cli;
import io.polyglot.importer.testing.Cli.Run;
import io.polyglot.importer.testing.StandInCommandService;
import io.polyglot.importer.testing.StandInCommandService.Answer;
import io.polyglot.importer.testing.StandInCommandService.Responder;
import io.polyglot.importer.testing.XesLogs;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How long the importer keeps resending to a command service that does not take its requests ({@code --retry-for}),
 * against {@link StandInCommandService}: a real HTTP server on loopback standing in for the command service, because
 * the tests need it absent for a while and then back on the same port, or refusing every request, on demand.
 */
class RetryBudgetTest {

    @TempDir
    Path dir;

    @Test
    void ridesOutACommandServiceThatRefusesConnectionsForMoreThanTheFormerFiveResends() throws Exception {
        // given a loopback port nobody listens on yet, and a log of 2 cases
        int port = freePort();
        Path log = XesLogs.write(dir.resolve("loans.xes"), XesLogs.of(2, 3));
        ByteArrayOutputStream err = new ByteArrayOutputStream();

        // when the import starts with the default --retries and --retry-for, and the service only comes up once the
        // importer is on its ninth attempt
        CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> ImportMain.run(
                new String[] {
                    "--type", "LoanApplication", "--retry-backoff", "10ms", "--progress", "off", log.toString()
                },
                Map.of("COMMAND_URL", "http://127.0.0.1:" + port),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8)));
        await().atMost(Duration.ofSeconds(30))
                .until(() -> err.toString(StandardCharsets.UTF_8).contains("(attempt 9,"));
        try (StandInCommandService service = StandInCommandService.start(port, Responder.acceptAll())) {

            // then
            assertThat(exit.get(30, TimeUnit.SECONDS))
                    .as(err.toString(StandardCharsets.UTF_8))
                    .isEqualTo(ExitStatus.OK);
            assertThat(err.toString(StandardCharsets.UTF_8))
                    .contains("the command service at http://127.0.0.1:" + port + " is not listening")
                    .containsPattern("waited [0-9.]+ s so far");
            assertThat(service.answeredLines()).hasSize(6);
        }
    }

    @Test
    void givesUpOnAnUnreachableCommandServiceOnceRetryForHasPassed() throws Exception {
        // given a loopback port nobody listens on
        int port = freePort();
        Path log = XesLogs.write(dir.resolve("loans.xes"), XesLogs.of(1, 2));
        long started = System.nanoTime();

        // when
        Run run = Cli.run(
                Map.of("COMMAND_URL", "http://127.0.0.1:" + port),
                "--type",
                "LoanApplication",
                "--retry-for",
                "2s",
                "--retry-backoff",
                "100ms",
                "--progress",
                "off",
                log.toString());

        // then
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        assertThat(run.exitStatus()).isEqualTo(ExitStatus.COMMAND_SERVICE_FAILED);
        assertThat(run.err())
                .contains("could not take the commands after")
                .contains("(--retry-for 2.0 s)")
                .contains("connection refused");
        assertThat(took).isBetween(Duration.ofMillis(1_500), Duration.ofSeconds(20));
    }

    @Test
    void defaultsToARetryBudgetThatRidesOutARestartThatRestoresItsStores() {
        // a restart with store restoration took about 90 s on a loaded 2-core machine, two in a row twice that
        Run run = Cli.run(Map.of(), "--help");

        assertThat(run.out().replaceAll("\\s+", " ")).contains("or pending commands (default 10m)");
    }

    @Test
    void neverResendsARequestTheCommandServiceRefusesHoweverLongRetryForIs() throws Exception {
        Responder refusing = (number, lines) -> Answer.problem(415, "unsupported-media-type", Optional.empty());
        try (StandInCommandService service = StandInCommandService.start(refusing)) {
            // given
            Path log = XesLogs.write(dir.resolve("loans.xes"), XesLogs.of(1, 2));

            // when
            Run run = Cli.run(
                    Map.of(),
                    "--type",
                    "LoanApplication",
                    "--url",
                    service.url().toString(),
                    "--retry-for",
                    "10m",
                    "--progress",
                    "off",
                    log.toString());

            // then
            assertThat(run.exitStatus()).isEqualTo(ExitStatus.COMMAND_SERVICE_FAILED);
            assertThat(run.err()).contains("refused the batch request with status 415");
            assertThat(service.requests()).hasSize(1);
        }
    }

    private static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
