package io.polyglot.importer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.polyglot.importer.command.CommandIds;
import io.polyglot.importer.testing.Cli;
import io.polyglot.importer.testing.Cli.Run;
import io.polyglot.importer.testing.StandInCommandService;
import io.polyglot.importer.testing.StandInCommandService.Responder;
import io.polyglot.importer.testing.XesLogs;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The importer's command line end to end against {@link StandInCommandService}: a real HTTP server on a random
 * loopback port standing in for the command service, because these tests need it to reject lines, answer 503, leave
 * lines pending and watch the requests, which the real one does not do on demand.
 */
class ImportMainTest {

    @TempDir
    Path dir;

    /** The command ids each case received, in the order received. */
    static Map<String, List<String>> idsPerCase(List<JsonNode> lines) {
        Map<String, List<String>> ids = new LinkedHashMap<>();
        for (JsonNode line : lines) {
            ids.computeIfAbsent(line.path("aggregateId").asText(), id -> new ArrayList<>())
                    .add(line.path("commandId").asText());
        }
        return ids;
    }

    /** The ids a case of {@code events} events must receive, in order. */
    static List<String> expectedIds(String type, String caseId, int events) {
        List<String> ids = new ArrayList<>();
        for (int position = 1; position <= events; position++) {
            ids.add(CommandIds.of(type, caseId, position));
        }
        return ids;
    }

    @Test
    void writesMachineReadableProgressOnStderrWithProgressJson() throws Exception {
        try (StandInCommandService service = StandInCommandService.start(Responder.acceptAll())) {
            // given a log of 2 cases with 3 events each
            Path log = XesLogs.write(dir.resolve("tickets.xes"), XesLogs.of(2, 3));

            // when
            Run run = Cli.run(
                    Map.of(),
                    "--type",
                    "Ticket",
                    "--url",
                    service.url().toString(),
                    "--progress",
                    "json",
                    log.toString());

            // then: the last JSON line on stderr holds the final counts, and the summary is on stdout as ever
            assertThat(run.exitStatus()).as(run.err()).isEqualTo(ExitStatus.OK);
            List<String> json =
                    run.err().lines().filter(line -> line.startsWith("{")).toList();
            JsonNode last = new ObjectMapper().readTree(json.get(json.size() - 1));
            assertThat(last.path("read").asLong()).isEqualTo(6);
            assertThat(last.path("sent").asLong()).isEqualTo(6);
            assertThat(last.path("accepted").asLong()).isEqualTo(6);
            assertThat(last.path("rejected").asLong()).isZero();
            assertThat(last.path("bytesRead").asLong()).isEqualTo(Files.size(log));
            assertThat(last.path("totalBytes").asLong()).isEqualTo(Files.size(log));
            assertThat(run.out()).contains("accepted  6");
        }
    }

    @Test
    void sendsEveryEventInCaseOrderAndExitsZeroWhenAllAreAccepted() throws Exception {
        try (StandInCommandService service = StandInCommandService.start(Responder.acceptAll())) {
            // given a gzipped log of 3 cases with 5 events each, and batches of 4
            Path log = XesLogs.write(dir.resolve("loans.xes.gz"), XesLogs.of(3, 5));

            // when
            Run run = Cli.run(
                    Map.of(),
                    "--type",
                    "LoanApplication",
                    "--url",
                    service.url().toString(),
                    "--batch-size",
                    "4",
                    "--progress",
                    "off",
                    log.toString());

            // then
            assertThat(run.exitStatus()).as(run.err()).isEqualTo(ExitStatus.OK);
            assertThat(service.requests())
                    .allSatisfy(request -> assertThat(request.lines()).hasSizeLessThanOrEqualTo(4));
            Map<String, List<String>> received = idsPerCase(service.answeredLines());
            assertThat(received).containsOnlyKeys("case-1", "case-2", "case-3");
            received.forEach((caseId, ids) ->
                    assertThat(ids).containsExactlyElementsOf(expectedIds("LoanApplication", caseId, 5)));
            JsonNode first = service.answeredLines().get(0);
            assertThat(first.path("aggregateType").asText()).isEqualTo("LoanApplication");
            assertThat(first.path("type").asText()).isEqualTo("RecordActivity");
            assertThat(first.path("payload")
                            .path("attributes")
                            .path("AMOUNT_REQ")
                            .asText())
                    .isEqualTo("1000");
            assertThat(service.answeredLines()
                            .get(1)
                            .path("payload")
                            .path("attributes")
                            .has("AMOUNT_REQ"))
                    .isFalse();
            assertThat(run.out())
                    .contains("read      15 events in 3 cases")
                    .contains("sent      15")
                    .contains("accepted  15")
                    .contains("rejected  0");
        }
    }

    @Test
    void keepsEightBatchesOfDifferentCasesAwaitingTheirAnswersByDefault() throws Exception {
        // given a stand-in that answers none of the first eight requests before all eight have arrived
        Responder responder = Responder.holdingUntilConcurrent(8, Duration.ofSeconds(10), Responder.acceptAll());
        try (StandInCommandService service = StandInCommandService.start(responder)) {
            // and a log of 20 cases of 5 events, sent one case per batch
            Path log = XesLogs.write(dir.resolve("loans.xes.gz"), XesLogs.of(20, 5));

            // when, without --in-flight
            Run run = Cli.run(
                    Map.of(),
                    "--type",
                    "LoanApplication",
                    "--url",
                    service.url().toString(),
                    "--batch-size",
                    "5",
                    "--progress",
                    "off",
                    log.toString());

            // then
            assertThat(run.exitStatus()).as(run.err()).isEqualTo(ExitStatus.OK);
            assertThat(service.mostInFlight()).isEqualTo(8);
            assertThat(service.overlappingCases()).isEmpty();
            Map<String, List<String>> received = idsPerCase(service.answeredLines());
            assertThat(received).hasSize(20);
            received.forEach((caseId, ids) ->
                    assertThat(ids).containsExactlyElementsOf(expectedIds("LoanApplication", caseId, 5)));
        }
    }

    @Test
    void saysThatAReimportRecordedNothingNewWhenEveryCommandWasDecidedBefore() throws Exception {
        // given a service that decides each command id once, which has seen the first two cases already
        try (StandInCommandService service = StandInCommandService.start(Responder.decidingOnce())) {
            Path first = XesLogs.write(dir.resolve("first.xes"), XesLogs.of(2, 3));
            Path whole = XesLogs.write(dir.resolve("whole.xes"), XesLogs.of(3, 3));
            importLoans(service, first);

            // when the whole log is imported, and then again
            Run again = importLoans(service, whole);
            Run third = importLoans(service, whole);

            // then the summaries tell the events recorded now from those an earlier import had recorded
            assertThat(again.exitStatus()).as(again.err()).isEqualTo(ExitStatus.OK);
            assertThat(again.out())
                    .contains("accepted  9 (6 of them decided by an earlier request, of an earlier run or an earlier"
                            + " attempt of this one: recorded then, not again now)");
            assertThat(third.out())
                    .contains("accepted  9 (9 of them decided by an earlier request, of an earlier run or an earlier"
                            + " attempt of this one: recorded then, not again now)");
        }
    }

    private static Run importLoans(StandInCommandService service, Path log) {
        return Cli.run(
                Map.of(),
                "--type",
                "LoanApplication",
                "--url",
                service.url().toString(),
                "--progress",
                "off",
                log.toString());
    }

    @Test
    void summarisesRejectionsPerProblemAndExitsOne() throws Exception {
        // given a service that rejects every third step
        Responder responder = Responder.rejecting(
                line -> line.path("payload").path("activity").asText().equals("step 3") ? "invalid-command" : null);
        try (StandInCommandService service = StandInCommandService.start(responder)) {
            Path log = XesLogs.write(dir.resolve("loans.xes"), XesLogs.of(4, 3));

            // when
            Run run = Cli.run(
                    Map.of(),
                    "--type",
                    "LoanApplication",
                    "--url",
                    service.url().toString(),
                    "--progress",
                    "off",
                    log.toString());

            // then
            assertThat(run.exitStatus()).isEqualTo(ExitStatus.REJECTED);
            assertThat(run.out())
                    .contains("accepted  8")
                    .contains("rejected  4 (0 locally, 4 by the command service)")
                    .containsPattern("invalid-command +4")
                    .contains("case 'case-1' event 3: the stand-in rejects this line: /payload/activity refused");
        }
    }

    @Test
    void rejectsEventsWithoutTimeLocallyWithoutSendingThem() throws Exception {
        try (StandInCommandService service = StandInCommandService.start(Responder.acceptAll())) {
            // given a case whose second event has no time
            String xes = XesLogs.of(2, 3)
                    .replaceFirst("(?s)(<event>.*?</event>\\s*<event>.*?)<date key=\"time:timestamp\"[^>]*/>", "$1");
            Path log = XesLogs.write(dir.resolve("loans.xes"), xes);

            // when
            Run run = Cli.run(
                    Map.of(),
                    "--type",
                    "LoanApplication",
                    "--url",
                    service.url().toString(),
                    "--progress",
                    "off",
                    log.toString());

            // then
            assertThat(run.exitStatus()).isEqualTo(ExitStatus.REJECTED);
            assertThat(service.answeredLines()).hasSize(5);
            assertThat(idsPerCase(service.answeredLines()).get("case-1"))
                    .containsExactly(
                            CommandIds.of("LoanApplication", "case-1", 1),
                            CommandIds.of("LoanApplication", "case-1", 3));
            assertThat(run.out())
                    .contains("rejected  1 (1 locally, 0 by the command service)")
                    .contains("case 'case-1' event 2: the event has no time:timestamp (not sent)");
        }
    }

    @Test
    void retriesA503WithTheSameCommandIdsAndSucceeds() throws Exception {
        try (StandInCommandService service =
                StandInCommandService.start(Responder.unavailableFirst(1, Responder.acceptAll()))) {
            // given
            Path log = XesLogs.write(dir.resolve("loans.xes"), XesLogs.of(2, 2));

            // when
            Run run = Cli.run(
                    Map.of(),
                    "--type",
                    "LoanApplication",
                    "--url",
                    service.url().toString(),
                    "--retry-backoff",
                    "10ms",
                    "--progress",
                    "off",
                    log.toString());

            // then
            assertThat(run.exitStatus()).as(run.err()).isEqualTo(ExitStatus.OK);
            assertThat(service.requests())
                    .extracting(StandInCommandService.Request::status)
                    .containsExactly(503, 200);
            assertThat(service.requests().get(0).lines())
                    .isEqualTo(service.requests().get(1).lines());
            assertThat(run.err())
                    .contains("status 503")
                    .contains("(attempt 2, ")
                    .contains("resent for up to 600.0 s");
            assertThat(run.out()).contains("accepted  4");
        }
    }

    @Test
    void resendsPendingCommandsWithTheSameIdsAndBodiesAndExitsZeroOnceTheyAreDecided() throws Exception {
        // given a service that answers case-2's first and case-3's second event pending once, then decides them
        Responder responder = Responder.pendingAtFirst(
                line -> {
                    String event = line.path("aggregateId").asText() + "/"
                            + line.path("payload").path("activity").asText();
                    return event.equals("case-2/step 1") || event.equals("case-3/step 2");
                },
                1,
                line -> null);
        try (StandInCommandService service = StandInCommandService.start(responder)) {
            Path log = XesLogs.write(dir.resolve("loans.xes"), XesLogs.of(3, 3));

            // when
            Run run = Cli.run(
                    Map.of(),
                    "--type",
                    "LoanApplication",
                    "--url",
                    service.url().toString(),
                    "--retry-backoff",
                    "10ms",
                    "--progress",
                    "off",
                    log.toString());

            // then
            assertThat(run.exitStatus()).as(run.err()).isEqualTo(ExitStatus.OK);
            assertThat(service.requests()).hasSize(2);
            List<JsonNode> first = service.requests().get(0).lines();
            assertThat(idsPerCase(first))
                    .allSatisfy((caseId, ids) ->
                            assertThat(ids).containsExactlyElementsOf(expectedIds("LoanApplication", caseId, 3)));
            assertThat(service.requests().get(1).lines()).containsExactly(first.get(3), first.get(7));
            assertThat(service.requests().get(1).lines())
                    .extracting(line -> line.path("commandId").asText())
                    .containsExactly(
                            CommandIds.of("LoanApplication", "case-2", 1),
                            CommandIds.of("LoanApplication", "case-3", 2));
            assertThat(run.err()).contains("2 of 9 commands pending").contains("(attempt 2, ");
            assertThat(run.out())
                    .contains("sent      9")
                    .contains("accepted  9")
                    .contains("rejected  0")
                    .contains("not decided 0");
        }
    }

    @Test
    void countsACommandPendingThroughEveryAttemptAsNotDecidedAndExitsOne() throws Exception {
        // given a service that never decides case-2's first event
        Responder responder = Responder.pendingAtFirst(
                line -> line.path("commandId").asText().equals(CommandIds.of("LoanApplication", "case-2", 1)),
                Integer.MAX_VALUE,
                line -> null);
        try (StandInCommandService service = StandInCommandService.start(responder)) {
            Path log = XesLogs.write(dir.resolve("loans.xes"), XesLogs.of(3, 3));

            // when
            Run run = Cli.run(
                    Map.of(),
                    "--type",
                    "LoanApplication",
                    "--url",
                    service.url().toString(),
                    "--retries",
                    "2",
                    "--retry-backoff",
                    "10ms",
                    "--progress",
                    "off",
                    log.toString());

            // then
            assertThat(run.exitStatus()).as(run.err()).isEqualTo(ExitStatus.REJECTED);
            assertThat(service.requests()).hasSize(3);
            assertThat(service.requests().subList(1, 3))
                    .allSatisfy(request -> assertThat(request.lines())
                            .singleElement()
                            .isEqualTo(service.requests().get(0).lines().get(3)));
            assertThat(run.out())
                    .contains("sent      9")
                    .contains("accepted  8")
                    .contains("rejected  0")
                    .contains("not decided 1 (in Kafka, decision unknown")
                    .contains("case 'case-2' event 1: command " + CommandIds.of("LoanApplication", "case-2", 1)
                            + ", still pending after 3 attempts");
        }
    }

    @Test
    void exitsWithAClearMessageAndCountsNothingAsSentWhenNoConnectionToTheCommandServiceSucceeds() throws Exception {
        // given a loopback port nobody listens on
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        Path log = XesLogs.write(dir.resolve("loans.xes"), XesLogs.of(2, 2));

        // when
        Run run = Cli.run(
                Map.of("COMMAND_URL", "http://127.0.0.1:" + port),
                "--type",
                "LoanApplication",
                "--retries",
                "2",
                "--retry-backoff",
                "10ms",
                "--progress",
                "off",
                log.toString());

        // then
        assertThat(run.exitStatus()).isEqualTo(ExitStatus.COMMAND_SERVICE_FAILED);
        assertThat(run.err())
                .contains("the command service at http://127.0.0.1:" + port
                        + " could not take the commands after 3 attempts")
                .contains("is not listening (connection refused)");
        // every connection was refused: nothing left the machine, so nothing was sent, and the lines still add up
        assertThat(run.out())
                .contains("sent      0 commands in ")
                .contains("(0 commands/s)")
                .contains("accepted  0")
                .contains("not answered 0\n")
                .contains("not sent  4 (the command service at http://127.0.0.1:" + port + " could not be reached)");
    }

    @Test
    void takesTheUrlFromTheEnvironmentAndSendsTheTokenAsBearer() throws Exception {
        try (StandInCommandService service = StandInCommandService.start(Responder.acceptAll())) {
            // given
            Path log = XesLogs.write(dir.resolve("loans.xes"), XesLogs.of(1, 1));
            Map<String, String> env = Map.of("COMMAND_URL", service.url() + "/", "POLYGLOT_TOKEN", "t0ken");

            // when
            Run run = Cli.run(env, "--type", "LoanApplication", "--progress", "off", log.toString());

            // then
            assertThat(run.exitStatus()).as(run.err()).isEqualTo(ExitStatus.OK);
            assertThat(service.requests()).singleElement().satisfies(request -> {
                assertThat(request.authorization()).isEqualTo("Bearer t0ken");
                assertThat(request.path()).isEqualTo("/v1/commands:batch");
            });
            assertThat(run.out() + run.err()).doesNotContain("t0ken");
        }
    }

    @Test
    void readsTheTokenFromTheTokenFileInsteadOfTheEnvironment() throws Exception {
        try (StandInCommandService service = StandInCommandService.start(Responder.acceptAll())) {
            // given
            Path log = XesLogs.write(dir.resolve("loans.xes"), XesLogs.of(1, 1));
            Path tokenFile = Files.writeString(dir.resolve("token"), "fr0m-the-file\n");
            Map<String, String> env = Map.of("COMMAND_URL", service.url().toString(), "POLYGLOT_TOKEN", "fr0m-the-env");

            // when
            Run run = Cli.run(
                    env,
                    "--type",
                    "LoanApplication",
                    "--token-file",
                    tokenFile.toString(),
                    "--progress",
                    "off",
                    log.toString());

            // then
            assertThat(run.exitStatus()).as(run.err()).isEqualTo(ExitStatus.OK);
            assertThat(service.requests())
                    .singleElement()
                    .satisfies(request -> assertThat(request.authorization()).isEqualTo("Bearer fr0m-the-file"));
            assertThat(run.out() + run.err()).doesNotContain("fr0m-the-file");
        }
    }

    @Test
    void refusesATokenFileItCannotReadAsBadUsage() throws Exception {
        // given
        Path log = XesLogs.write(dir.resolve("loans.xes"), XesLogs.of(1, 1));

        // when
        Run run = Cli.run(
                Map.of(),
                "--type",
                "LoanApplication",
                "--token-file",
                dir.resolve("absent").toString(),
                "--progress",
                "off",
                log.toString());

        // then
        assertThat(run.exitStatus()).isEqualTo(ExitStatus.USAGE);
        assertThat(run.err()).contains("cannot read --token-file");
    }

    @Test
    void reportsAMalformedLogWithItsLineAfterSendingTheEventsBeforeIt() throws Exception {
        try (StandInCommandService service = StandInCommandService.start(Responder.acceptAll())) {
            // given a log cut off inside its third case
            String xes = XesLogs.of(3, 2);
            Path log = XesLogs.write(dir.resolve("cut.xes"), xes.substring(0, xes.lastIndexOf("<event>") + 20));

            // when
            Run run = Cli.run(
                    Map.of(),
                    "--type",
                    "LoanApplication",
                    "--url",
                    service.url().toString(),
                    "--progress",
                    "off",
                    log.toString());

            // then
            assertThat(run.exitStatus()).isEqualTo(ExitStatus.MALFORMED_LOG);
            assertThat(run.err())
                    .containsPattern("malformed XES in .*cut.xes at line \\d+, column \\d+: ")
                    .contains("the 5 events read before it, up to case 'case-3' event 1, went to the command service");
            assertThat(service.answeredLines()).hasSize(5);
            assertThat(run.out()).contains("sent      5");
        }
    }

    @Test
    void refusesAnAttributeTooLargeToHoldAsAMalformedLogInOneLine() throws Exception {
        try (StandInCommandService service = StandInCommandService.start(Responder.acceptAll())) {
            // given a small gzip file whose one attribute value unpacks to 9 MiB, over the 8 MiB a value may hold
            Path log = dir.resolve("bomb.xes.gz");
            try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(log))) {
                out.write("<log><trace><string key=\"concept:name\" value=\"".getBytes(StandardCharsets.UTF_8));
                byte[] filler = "a".repeat(1024 * 1024).getBytes(StandardCharsets.UTF_8);
                for (int i = 0; i < 9; i++) {
                    out.write(filler);
                }
                out.write("\"/></trace></log>".getBytes(StandardCharsets.UTF_8));
            }

            // when
            Run run = Cli.run(
                    Map.of(),
                    "--type",
                    "LoanApplication",
                    "--url",
                    service.url().toString(),
                    "--progress",
                    "off",
                    log.toString());

            // then
            assertThat(run.exitStatus()).isEqualTo(ExitStatus.MALFORMED_LOG);
            assertThat(run.err())
                    .contains("an attribute or text holds more than 8388608 bytes")
                    .doesNotContain("\tat ");
        }
    }

    @Test
    void sendsTheSameCommandIdsWhenTheSameLogIsImportedAgainFromElsewhere() throws Exception {
        try (StandInCommandService service = StandInCommandService.start(Responder.acceptAll())) {
            // given the same log at two paths
            Path first = XesLogs.write(dir.resolve("a.xes"), XesLogs.of(2, 3));
            Files.createDirectories(dir.resolve("copy"));
            Path second = Files.copy(first, dir.resolve("copy/renamed.xes"));

            // when
            Cli.run(
                    Map.of(),
                    "--type",
                    "LoanApplication",
                    "--url",
                    service.url().toString(),
                    "--progress",
                    "off",
                    first.toString());
            int afterFirst = service.answeredLines().size();
            Cli.run(
                    Map.of(),
                    "--type",
                    "LoanApplication",
                    "--url",
                    service.url().toString(),
                    "--progress",
                    "off",
                    second.toString());

            // then
            List<JsonNode> lines = service.answeredLines();
            assertThat(lines.subList(afterFirst, lines.size())).isEqualTo(lines.subList(0, afterFirst));
        }
    }
}
