package io.polyglot.command;

import static io.polyglot.command.RunningCommandService.json;
import static io.polyglot.command.SingleCommandTest.assertProblem;
import static io.polyglot.command.intake.ValidCommands.recordActivity;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The path parameters of {@code GET /v1/commands/{commandId}} and
 * {@code GET /v1/aggregates/{aggregateType}/{aggregateId}} over HTTP: a segment is percent-encoded UTF-8 and, decoded,
 * a name of the design's rules, or the request is refused with 400 rather than looked up under a name nobody sent.
 */
class PathParameterTest {

    @TempDir
    static Path dataDir;

    static RunningCommandService running;

    @BeforeAll
    static void start() {
        running = RunningCommandService.start(dataDir, Map.of());
    }

    @AfterAll
    static void stop() {
        running.close();
    }

    static Stream<Arguments> segmentsThatAreNotUtf8() {
        return Stream.of(
                Arguments.of("/v1/commands/%ff%fe", "%ff%fe"),
                Arguments.of("/v1/commands/case-%C0%AE", "case-%C0%AE"),
                Arguments.of("/v1/commands/%ED%A0%80", "%ED%A0%80"),
                Arguments.of("/v1/aggregates/LoanApplication/%ff%fe", "%ff%fe"),
                Arguments.of("/v1/aggregates/Loan%ffApplication/1", "Loan%ffApplication"),
                Arguments.of("/v1/aggregates/LoanApplication/case%E2%82", "case%E2%82"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("segmentsThatAreNotUtf8")
    void refusesASegmentWhoseEscapesAreNotUtf8AndNamesIt(String path, String segment) {
        // when
        HttpResponse<String> response = running.get(path);

        // then: not a lookup of U+FFFD
        assertProblem(response, 400, "bad-request");
        assertThat(json(response).get("detail").asText())
                .isEqualTo("the path segment '" + segment + "' is not percent-encoded UTF-8");
        assertThat(response.body()).doesNotContain("\uFFFD");
    }

    static Stream<Arguments> segmentsThatBreakTheNameRules() {
        return Stream.of(
                Arguments.of("/v1/commands/a%2Fb", "commandId", "command id must not contain / or \\"),
                Arguments.of("/v1/commands/a%5Cb", "commandId", "command id must not contain / or \\"),
                Arguments.of("/v1/commands/%2e%2e", "commandId", "command id must not be . or .."),
                Arguments.of("/v1/commands/%C2%A0%C2%A0", "commandId", "command id must not be empty or blank"),
                Arguments.of("/v1/commands/%E2%80%8B", "commandId", "command id must not be empty or blank"),
                Arguments.of("/v1/commands/%20", "commandId", "command id must not be empty or blank"),
                Arguments.of("/v1/commands/tab%09", "commandId", "command id must not contain control characters"),
                Arguments.of("/v1/aggregates/BkOrder/a%2Fb", "aggregateId", "aggregate id must not contain / or \\"),
                Arguments.of(
                        "/v1/aggregates/LoanApplication/%C2%A0",
                        "aggregateId", "aggregate id must not be empty or blank"),
                Arguments.of(
                        "/v1/aggregates/LoanApplication/%EF%BB%BF%E2%81%A0",
                        "aggregateId", "aggregate id must not be empty or blank"),
                Arguments.of(
                        "/v1/aggregates/loanApplication/1",
                        "aggregateType",
                        "aggregate type must match ^[A-Z][A-Za-z0-9]{0,63}$"),
                Arguments.of(
                        "/v1/aggregates/Loan%2FApplication/1",
                        "aggregateType", "aggregate type must match ^[A-Z][A-Za-z0-9]{0,63}$"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("segmentsThatBreakTheNameRules")
    void refusesASegmentThatBreaksTheNameRulesAndNamesTheParameter(String path, String parameter, String message) {
        // when
        HttpResponse<String> response = running.get(path);

        // then: no name that the rules refuse can be known, so the request is wrong, not the lookup empty
        assertProblem(response, 400, "bad-request");
        JsonNode problem = json(response);
        assertThat(problem.get("parameter").asText()).isEqualTo(parameter);
        assertThat(problem.get("detail").asText()).isEqualTo(message);
    }

    @Test
    void findsACommandAndItsAggregateWhoseIdsNeedEscapesAtTheLocationItGave() {
        // given: ids with a space, a plus sign and a letter outside ASCII, sent to be answered later
        String commandId = "path 1+ü";
        String aggregateId = "Case 7+ü";
        HttpResponse<String> pending =
                running.send(running.authorized(HttpRequest.newBuilder(running.uri("/v1/commands")))
                        .timeout(Duration.ofSeconds(30))
                        .header("Content-Type", "application/json")
                        .header("Prefer", "respond-async")
                        .POST(HttpRequest.BodyPublishers.ofString(
                                recordActivity(commandId, aggregateId).toString()))
                        .build());
        assertThat(pending.statusCode()).isEqualTo(202);
        String location = pending.headers().firstValue("Location").orElseThrow();

        // when
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(
                        () -> assertThat(running.get(location).statusCode()).isEqualTo(200));
        HttpResponse<String> aggregate = running.get("/v1/aggregates/LoanApplication/Case%207+%C3%BC");

        // then
        assertThat(location).isEqualTo("/v1/commands/path%201%2B%C3%BC");
        assertThat(json(running.get(location)).get("commandId").asText()).isEqualTo(commandId);
        assertThat(aggregate.statusCode()).isEqualTo(200);
        assertThat(json(aggregate).get("aggregateId").asText()).isEqualTo(aggregateId);
        assertThat(json(aggregate).get("version").asLong()).isEqualTo(1);
    }

    @Test
    void stillAnswersNotFoundForAValidIdNobodySent() {
        // when
        HttpResponse<String> command = running.get("/v1/commands/never%20sent%20%C3%BC");
        HttpResponse<String> aggregate = running.get("/v1/aggregates/LoanApplication/nobody%C2%A0here");

        // then
        assertProblem(command, 404, "not-found");
        assertThat(json(command).get("detail").asText()).isEqualTo("no command never sent ü is known (or it expired)");
        assertProblem(aggregate, 404, "not-found");
        assertThat(json(aggregate).get("detail").asText()).isEqualTo("no aggregate LoanApplication/nobody\u00A0here");
    }
}
