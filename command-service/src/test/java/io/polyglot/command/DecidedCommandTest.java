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
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Commands decided by the decider against a real broker: the decided answers, expected versions, idempotency. */
class DecidedCommandTest {

    @TempDir
    static Path dataDir;

    private static final int PARTITIONS = 3;

    static RunningCommandService running;

    @BeforeAll
    static void start() {
        running = RunningCommandService.start(dataDir, Map.of("TOPIC_PARTITIONS", Integer.toString(PARTITIONS)));
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
        assertThat(json(first).has("replayed")).isFalse();
        assertThat(json(again)).isEqualTo(((ObjectNode) json(first)).put("replayed", true));
        assertThat(running.committedCount(Topics.EVENTS_ALL)).isEqualTo(before);
    }

    @Test
    void answersARetryOfARefusedCommandWithItsFirstRefusalMarkedReplayedAlsoOnceTheAggregateMoved() {
        // given: a command refused for a stale version, then the aggregate moves on to version 1
        String stale = loan("refused-retry-2", "case-refused-retry", "A_PARTLYSUBMITTED", 1L);
        HttpResponse<String> first = running.postJson(stale);
        running.postJson(loan("refused-retry-1", "case-refused-retry", "A_SUBMITTED", 0L));
        long before = running.committedCount(Topics.EVENTS_ALL);

        // when: the refused command is sent again, alone and as a line of a batch
        HttpResponse<String> again = running.postJson(stale);
        HttpResponse<String> line = running.post("/v1/commands:batch", "application/x-ndjson", stale);

        // then: the first refusal, its current version of then included, marked as replayed
        assertThat(first.statusCode()).isEqualTo(409);
        assertThat(json(first).has("replayed")).isFalse();
        assertThat(json(first).get("currentVersion").asLong()).isZero();
        assertThat(again.statusCode()).isEqualTo(409);
        assertThat(json(again)).isEqualTo(((ObjectNode) json(first)).put("replayed", true));
        JsonNode answered = json(line.body().strip());
        assertThat(answered.get("status").asText()).isEqualTo("rejected");
        assertThat(answered.get("replayed").asBoolean()).isTrue();
        assertThat(answered.get("problem")).isEqualTo(json(again));
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
    void refusesACommandIdReusedForAnAggregateOfAnotherPartitionAndProducesNothing() {
        // given
        String first = "case-ids-first";
        String other = aggregateOfAnotherPartition(first);
        HttpResponse<String> accepted = running.postJson(loan("shared-id-1", first, "A_SUBMITTED", null));
        Map<TopicPartition, Long> before = endOffsets(Topics.EVENTS_ALL);

        // when
        HttpResponse<String> response = running.postJson(loan("shared-id-1", other, "A_SUBMITTED", null));

        // then
        assertThat(accepted.statusCode()).isEqualTo(200);
        assertThat(response.statusCode()).isEqualTo(409);
        assertThat(json(response).get("type").asText()).isEqualTo("urn:polyglot:problem:command-id-reused");
        assertThat(endOffsets(Topics.EVENTS_ALL)).isEqualTo(before);
        assertThat(running.get("/v1/aggregates/LoanApplication/" + other).statusCode())
                .isEqualTo(404);
        assertThat(json(running.get("/v1/commands/shared-id-1"))).isEqualTo(json(accepted));
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

    /** An aggregate id whose commands go to another partition of {@code commands} than those of {@code aggregateId}. */
    private static String aggregateOfAnotherPartition(String aggregateId) {
        int taken = partition(aggregateId);
        for (int i = 0; ; i++) {
            String candidate = aggregateId + "-other-" + i;
            if (partition(candidate) != taken) {
                return candidate;
            }
        }
    }

    private static int partition(String key) {
        return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % PARTITIONS;
    }

    private static Map<TopicPartition, Long> endOffsets(String topic) {
        try (Admin admin =
                Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, running.broker.bootstrapServers()))) {
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            for (int p = 0; p < PARTITIONS; p++) {
                latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
            }
            Map<TopicPartition, Long> ends = new HashMap<>();
            admin.listOffsets(latest).all().get().forEach((partition, info) -> ends.put(partition, info.offset()));
            return ends;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("the broker did not list the end offsets of " + topic, e.getCause());
        }
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
