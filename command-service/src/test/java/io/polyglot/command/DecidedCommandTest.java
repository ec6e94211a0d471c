package io.polyglot.command;

import static io.polyglot.command.RunningCommandService.json;
import static io.polyglot.command.intake.ValidCommands.recordActivity;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.polyglot.schemas.Topics;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Commands decided by the decider against a real broker: the decided answers, expected versions, idempotency. */
class DecidedCommandTest {

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

    @Test
    void numbersTheEventsOfAnAggregateInTheAnswers() {
        // given
        running.postJson(loan("numbered-1", "case-numbered", "A_SUBMITTED", null));

        // when
        HttpResponse<String> second = running.postJson(loan("numbered-2", "case-numbered", "A_PARTLYSUBMITTED", 1L));

        // then
        assertThat(second.statusCode()).isEqualTo(200);
        assertThat(json(second).get("events").get(0).get("aggregateVersion").asLong())
                .isEqualTo(2);
    }

    @Test
    void refusesAStaleExpectedVersionWithBothVersionsAndProducesNothing() {
        // given
        running.postJson(loan("stale-1", "case-stale", "A_SUBMITTED", 0L));
        long before = running.committedCount(Topics.EVENTS_ALL);

        // when
        HttpResponse<String> response = running.postJson(loan("stale-2", "case-stale", "A_PARTLYSUBMITTED", 0L));

        // then
        assertThat(response.statusCode()).isEqualTo(409);
        JsonNode problem = json(response);
        assertThat(problem.get("type").asText()).isEqualTo("urn:polyglot:problem:version-conflict");
        assertThat(problem.get("expectedVersion").asLong()).isEqualTo(0);
        assertThat(problem.get("currentVersion").asLong()).isEqualTo(1);
        assertThat(running.committedCount(Topics.EVENTS_ALL)).isEqualTo(before);
    }

    @Test
    void refusesACommandThatBreaksALoanApplicationRuleNamingTheRule() {
        // when
        HttpResponse<String> response = running.postJson(loan("rule-1", "case-rule", "O_SENT", null));

        // then
        assertThat(response.statusCode()).isEqualTo(409);
        JsonNode problem = json(response);
        assertThat(problem.get("type").asText()).isEqualTo("urn:polyglot:problem:rule-violated");
        assertThat(problem.get("rule").asText()).isEqualTo("starts-with-submission");
    }

    @Test
    void answersARetryWithTheFirstDecisionAndProducesNoNewEvent() {
        // given
        String command = loan("retry-1", "case-retry", "A_SUBMITTED", null);
        HttpResponse<String> first = running.postJson(command);
        long before = running.committedCount(Topics.EVENTS_ALL);

        // when
        HttpResponse<String> again = running.postJson(command);

        // then
        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(json(again)).isEqualTo(json(first));
        assertThat(running.committedCount(Topics.EVENTS_ALL)).isEqualTo(before);
    }

    @Test
    void refusesACommandIdReusedForAnotherBody() {
        // given
        running.postJson(loan("reused-1", "case-reused", "A_SUBMITTED", null));

        // when
        HttpResponse<String> response = running.postJson(loan("reused-1", "case-reused", "A_PARTLYSUBMITTED", null));

        // then
        assertThat(response.statusCode()).isEqualTo(409);
        assertThat(json(response).get("type").asText()).isEqualTo("urn:polyglot:problem:command-id-reused");
    }

    @Test
    void answersPendingWhenAskedToRespondAsyncAndTheDecisionLater() {
        // when
        HttpResponse<String> response = running.send(HttpRequest.newBuilder(running.uri("/v1/commands"))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .header("Prefer", "respond-async")
                .POST(HttpRequest.BodyPublishers.ofString(loan("async-1", "case-async", "A_SUBMITTED", null)))
                .build());

        // then
        assertThat(response.statusCode()).isEqualTo(202);
        assertThat(json(response).get("status").asText()).isEqualTo("pending");
        assertThat(response.headers().firstValue("Location")).hasValue("/v1/commands/async-1");
        await().atMost(Duration.ofSeconds(20))
                .untilAsserted(
                        () -> assertThat(running.get("/v1/commands/async-1").statusCode())
                                .isEqualTo(200));
        JsonNode decided = json(running.get("/v1/commands/async-1"));
        assertThat(decided.get("status").asText()).isEqualTo("accepted");
        assertThat(decided.get("events").get(0).get("aggregateVersion").asLong())
                .isEqualTo(1);
    }

    @Test
    void answersNotFoundForACommandNobodySent() {
        // when
        HttpResponse<String> response = running.get("/v1/commands/never-sent");

        // then
        assertThat(response.statusCode()).isEqualTo(404);
    }

    @Test
    void showsAnAggregatesHeadWithItsVersionAndRuleState() {
        // given
        running.postJson(loan("head-1", "case-head", "A_SUBMITTED", null));
        running.postJson(loan("head-2", "case-head", "O_CREATED", null));

        // when
        HttpResponse<String> response = running.get("/v1/aggregates/LoanApplication/case-head");

        // then
        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode head = json(response);
        assertThat(head.get("version").asLong()).isEqualTo(2);
        assertThat(head.get("state").get("offerCreated").asText()).isEqualTo("true");
        assertThat(head.get("lastEventAt").asText()).isNotBlank();
        assertThat(running.get("/v1/aggregates/LoanApplication/case-nobody").statusCode())
                .isEqualTo(404);
    }

    private static String loan(String commandId, String caseId, String activity, Long expectedVersion) {
        ObjectNode command = recordActivity(commandId, caseId);
        ((ObjectNode) command.get("payload")).put("activity", activity);
        if (expectedVersion != null) {
            command.put("expectedVersion", expectedVersion);
        }
        return command.toString();
    }
}
