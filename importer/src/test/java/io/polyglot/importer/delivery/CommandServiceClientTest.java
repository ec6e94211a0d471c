package io.polyglot.importer.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.polyglot.importer.command.Batch;
import io.polyglot.importer.command.RecordActivityCommands;
import io.polyglot.importer.log.CaseEvent;
import io.polyglot.importer.testing.StandInCommandService;
import io.polyglot.importer.testing.StandInCommandService.Answer;
import io.polyglot.importer.testing.StandInCommandService.Responder;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The HTTP client against {@link StandInCommandService}, a real server on loopback that fails on purpose: it answers
 * 503, rejects chosen lines and leaves chosen lines pending, which a real command service does not do on demand.
 */
class CommandServiceClientTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final RetryPolicy QUICK_RETRIES =
            new RetryPolicy(3, Duration.ofMillis(10), Duration.ofMillis(50), Duration.ofMinutes(1));

    private final List<String> notices = new ArrayList<>();

    private CommandServiceClient client(URI url, Optional<String> token) {
        return new CommandServiceClient(
                url, token, QUICK_RETRIES, Duration.ofSeconds(2), Duration.ofSeconds(10), notices::add);
    }

    private static Batch batch(int size) {
        RecordActivityCommands commands = new RecordActivityCommands("Ticket");
        List<io.polyglot.importer.command.PendingCommand> pending = new ArrayList<>();
        for (int i = 1; i <= size; i++) {
            pending.add(commands.toCommand(
                    new CaseEvent("Case " + (i % 2), i, "step " + i, null, null, "2020-01-01T00:00:00Z", Map.of(), i)));
        }
        return new Batch(pending);
    }

    @Test
    void postsTheBatchAsNdjsonWithTheBearerToken() throws Exception {
        try (StandInCommandService service = StandInCommandService.start(Responder.acceptAll())) {
            // given
            Batch batch = batch(3);

            // when
            BatchAnswer answer = client(service.url(), Optional.of("s3cret")).send(batch);

            // then
            assertThat(answer.results()).allMatch(LineResult::accepted).hasSize(3);
            assertThat(answer.attempts()).isEqualTo(1);
            StandInCommandService.Request request = service.requests().get(0);
            assertThat(request.method()).isEqualTo("POST");
            assertThat(request.path()).isEqualTo("/v1/commands:batch");
            assertThat(request.contentType()).isEqualTo("application/x-ndjson");
            assertThat(request.authorization()).isEqualTo("Bearer s3cret");
            assertThat(request.lines())
                    .extracting(line -> line.path("commandId").asText())
                    .containsExactlyElementsOf(
                            batch.commands().stream().map(c -> c.commandId()).toList());
        }
    }

    @Test
    void resendsTheSameCommandIdsAfterA503() throws Exception {
        try (StandInCommandService service =
                StandInCommandService.start(Responder.unavailableFirst(2, Responder.acceptAll()))) {
            // given
            Batch batch = batch(4);

            // when
            BatchAnswer answer = client(service.url(), Optional.empty()).send(batch);

            // then
            assertThat(answer.attempts()).isEqualTo(3);
            assertThat(answer.results()).allMatch(LineResult::accepted);
            assertThat(service.requests())
                    .extracting(StandInCommandService.Request::status)
                    .containsExactly(503, 503, 200);
            assertThat(service.requests())
                    .allSatisfy(request -> assertThat(request.lines())
                            .extracting(line -> line.path("commandId").asText())
                            .containsExactlyElementsOf(batch.commands().stream()
                                    .map(c -> c.commandId())
                                    .toList()));
            assertThat(service.requests().get(0).authorization()).isNull();
            assertThat(notices).hasSize(2).allMatch(notice -> notice.contains("status 503"));
        }
    }

    @Test
    void resendsOnlyTheLinesRejectedAsKafkaUnavailable() throws Exception {
        // given a service that rejects the second line once as kafka-unavailable and the fourth as invalid
        AtomicInteger transientLeft = new AtomicInteger(1);
        Responder responder = Responder.rejecting(line -> {
            String activity = line.path("payload").path("activity").asText();
            if (activity.equals("step 2") && transientLeft.getAndDecrement() > 0) {
                return "kafka-unavailable";
            }
            return activity.equals("step 4") ? "invalid-command" : null;
        });
        try (StandInCommandService service = StandInCommandService.start(responder)) {
            Batch batch = batch(4);

            // when
            BatchAnswer answer = client(service.url(), Optional.empty()).send(batch);

            // then
            assertThat(answer.results()).extracting(LineResult::accepted).containsExactly(true, true, true, false);
            assertThat(answer.results().get(3).problem().type()).isEqualTo("invalid-command");
            assertThat(answer.results().get(3).problem().detail()).contains("/payload/activity");
            assertThat(service.requests()).hasSize(2);
            assertThat(service.requests().get(1).lines())
                    .extracting(line -> line.path("commandId").asText())
                    .containsExactly(batch.commands().get(1).commandId());
        }
    }

    @Test
    void resendsPendingLinesWithTheSameIdsAndBodiesUntilTheyAreDecided() throws Exception {
        // given a service that answers the second and third lines pending twice, then decides them
        Responder responder = Responder.pendingAtFirst(
                line -> Set.of("step 2", "step 3")
                        .contains(line.path("payload").path("activity").asText()),
                2,
                line -> null);
        try (StandInCommandService service = StandInCommandService.start(responder)) {
            Batch batch = batch(4);

            // when
            BatchAnswer answer = client(service.url(), Optional.empty()).send(batch);

            // then
            assertThat(answer.attempts()).isEqualTo(3);
            assertThat(answer.results()).allMatch(LineResult::accepted).hasSize(4);
            List<JsonNode> pendingBodies = List.of(
                    JSON.readTree(batch.commands().get(1).json()),
                    JSON.readTree(batch.commands().get(2).json()));
            assertThat(service.requests()).hasSize(3);
            assertThat(service.requests().get(1).lines()).containsExactlyElementsOf(pendingBodies);
            assertThat(service.requests().get(2).lines()).containsExactlyElementsOf(pendingBodies);
            assertThat(notices)
                    .hasSize(2)
                    .allMatch(notice -> notice.contains("2 of 4 commands pending"))
                    .anyMatch(notice -> notice.contains("attempt 3 of 3"));
        }
    }

    @Test
    void answersALinePendingThroughEveryAttemptAsPendingWithoutFailingTheBatch() throws Exception {
        // given a service whose decision for the first line never comes
        Responder responder = Responder.pendingAtFirst(
                line -> line.path("payload").path("activity").asText().equals("step 1"),
                Integer.MAX_VALUE,
                line -> null);
        try (StandInCommandService service = StandInCommandService.start(responder)) {
            Batch batch = batch(3);

            // when
            BatchAnswer answer = client(service.url(), Optional.empty()).send(batch);

            // then
            assertThat(answer.attempts()).isEqualTo(QUICK_RETRIES.maxAttempts());
            assertThat(answer.results())
                    .extracting(LineResult::status)
                    .containsExactly(LineResult.Status.PENDING, LineResult.Status.ACCEPTED, LineResult.Status.ACCEPTED);
            assertThat(service.requests()).hasSize(3);
            assertThat(service.requests().subList(1, 3))
                    .allSatisfy(request -> assertThat(request.lines())
                            .extracting(line -> line.path("commandId").asText())
                            .containsExactly(batch.commands().get(0).commandId()));
            assertThat(notices.get(notices.size() - 1)).contains("1 of 3 commands still not decided after 3 attempts");
        }
    }

    @Test
    void givesUpWhenALineStaysKafkaUnavailableWhileAnotherIsPending() throws Exception {
        // given a service that never takes the first line into Kafka and never decides the second
        Responder responder = Responder.pendingAtFirst(
                line -> line.path("payload").path("activity").asText().equals("step 2"),
                Integer.MAX_VALUE,
                line -> line.path("payload").path("activity").asText().equals("step 1") ? "kafka-unavailable" : null);
        try (StandInCommandService service = StandInCommandService.start(responder)) {
            // when / then
            assertThatThrownBy(() -> client(service.url(), Optional.empty()).send(batch(2)))
                    .isInstanceOfSatisfying(CommandServiceException.class, e -> {
                        assertThat(e.unreachable()).isTrue();
                        assertThat(e.getMessage())
                                .contains("after 3 attempts")
                                .contains("kafka-unavailable for 1 of 2 commands")
                                .contains("1 of 2 commands pending");
                    });
            assertThat(service.requests()).hasSize(3);
        }
    }

    @Test
    void givesUpAfterTheLastAttemptWhenTheServiceStaysUnavailable() throws Exception {
        try (StandInCommandService service =
                StandInCommandService.start(Responder.unavailableFirst(100, Responder.acceptAll()))) {
            // when / then
            assertThatThrownBy(() -> client(service.url(), Optional.empty()).send(batch(2)))
                    .isInstanceOfSatisfying(CommandServiceException.class, e -> {
                        assertThat(e.unreachable()).isTrue();
                        assertThat(e.getMessage()).contains("after 3 attempts").contains("status 503");
                    });
            assertThat(service.requests()).hasSize(3);
        }
    }

    @Test
    void reportsAnUnreachableServiceAfterRetryingTheConnection() throws Exception {
        // given a loopback port nobody listens on
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        URI nobody = URI.create("http://127.0.0.1:" + port);

        // when / then
        assertThatThrownBy(() -> client(nobody, Optional.empty()).send(batch(1)))
                .isInstanceOfSatisfying(CommandServiceException.class, e -> {
                    assertThat(e.unreachable()).isTrue();
                    assertThat(e.getMessage()).contains(nobody.toString()).contains("connection refused");
                });
        assertThat(notices).hasSize(2);
    }

    @Test
    void refusesToGoOnWhenTheTokenIsRefused() throws Exception {
        try (StandInCommandService service =
                StandInCommandService.start((number, lines) -> Answer.problem(401, "unauthorized", Optional.empty()))) {
            // when / then
            assertThatThrownBy(() -> client(service.url(), Optional.of("wrong")).send(batch(1)))
                    .isInstanceOfSatisfying(CommandServiceException.class, e -> {
                        assertThat(e.unreachable()).isFalse();
                        assertThat(e.getMessage())
                                .contains("401")
                                .contains("POLYGLOT_TOKEN")
                                .doesNotContain("wrong");
                    });
            assertThat(service.requests()).hasSize(1);
        }
    }

    @Test
    void refusesAnAnswerWithTooFewResultLines() throws Exception {
        try (StandInCommandService service = StandInCommandService.start(
                (number, lines) -> Answer.results(StandInCommandService.results(lines.subList(0, 1), line -> null)))) {
            // when / then
            assertThatThrownBy(() -> client(service.url(), Optional.empty()).send(batch(2)))
                    .isInstanceOf(CommandServiceException.class)
                    .hasMessageContaining("1 result lines for 2 commands");
        }
    }

    @Test
    void refusesAnAnswerForAnotherCommand() throws Exception {
        try (StandInCommandService service = StandInCommandService.start((number, lines) ->
                Answer.results("{\"line\":1,\"status\":\"accepted\",\"commandId\":\"someone-else\"}\n"))) {
            // when / then
            assertThatThrownBy(() -> client(service.url(), Optional.empty()).send(batch(1)))
                    .isInstanceOf(CommandServiceException.class)
                    .hasMessageContaining("someone-else");
        }
    }
}
