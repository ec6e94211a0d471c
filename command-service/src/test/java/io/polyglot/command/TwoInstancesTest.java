package io.polyglot.command;

import static io.polyglot.command.RunningCommandService.json;
import static io.polyglot.command.intake.ValidCommands.recordActivity;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.polyglot.schemas.EventCodec;
import io.polyglot.schemas.Topics;
import io.polyglot.schemas.avro.EventEnvelope;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two command-service instances against one broker, as one decider application: either answers for any aggregate,
 * and racing commands sent one to each are decided once. Both run in this JVM; what separates them is what separates
 * two processes here: their own HTTP server, producer, stores and Streams client.
 */
class TwoInstancesTest {

    private static final int AGGREGATES = 12;

    @TempDir
    static Path dataDir;

    static final String TOKEN = "two-instances-share-this-token";
    static RunningCommandService first;
    static CommandService second;
    static final HttpClient http =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll
    static void start() {
        // Both guarded by a token: a read relayed to the instance that owns the aggregate carries it on.
        first = RunningCommandService.start(dataDir, Map.of("POLYGLOT_TOKEN", TOKEN));
        second = CommandService.start(
                CommandServiceConfig.from(Map.of(
                        "POLYGLOT_TOKEN",
                        TOKEN,
                        "KAFKA_BOOTSTRAP_SERVERS",
                        first.broker.bootstrapServers(),
                        "HTTP_PORT",
                        "0",
                        "TOPIC_PARTITIONS",
                        "3",
                        "DECIDER_STATE_DIR",
                        dataDir.resolve("decider-2").toString())),
                Clock.systemUTC());
    }

    @AfterAll
    static void stop() {
        second.close();
        first.close();
    }

    @Test
    void answersForEveryAggregateFromEitherInstance() {
        // given
        for (int i = 0; i < AGGREGATES; i++) {
            assertThat(first.postJson(loan("either-" + i, "either-case-" + i, "A_SUBMITTED", null))
                            .statusCode())
                    .isEqualTo(200);
        }

        // when / then
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            for (int i = 0; i < AGGREGATES; i++) {
                String path = "/v1/aggregates/LoanApplication/either-case-" + i;
                assertThat(get(first.uri(path)).statusCode())
                        .as("first " + path)
                        .isEqualTo(200);
                assertThat(get(secondUri(path)).statusCode())
                        .as("second " + path)
                        .isEqualTo(200);
                assertThat(get(secondUri("/v1/commands/either-" + i)).statusCode())
                        .isEqualTo(200);
            }
        });
        assertThat(json(get(secondUri("/v1/aggregates/LoanApplication/either-case-0")))
                        .get("version")
                        .asLong())
                .isEqualTo(1);
    }

    @Test
    void acceptsExactlyOneOfEachPairOfRacingCommandsSentOneToEachInstance() {
        // given
        int pairs = 40;
        for (int i = 0; i < pairs; i++) {
            assertThat(first.postJson(loan("pair-" + i + "-0", "pair-case-" + i, "A_SUBMITTED", 0L))
                            .statusCode())
                    .isEqualTo(200);
        }

        // when
        List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
        for (int i = 0; i < pairs; i++) {
            answers.add(post(
                    first.uri("/v1/commands"), loan("pair-" + i + "-a", "pair-case-" + i, "A_PARTLYSUBMITTED", 1L)));
            answers.add(post(secondUri("/v1/commands"), loan("pair-" + i + "-b", "pair-case-" + i, "A_DECLINED", 1L)));
        }
        List<Integer> statuses = answers.stream()
                .map(CompletableFuture::join)
                .map(HttpResponse::statusCode)
                .toList();

        // then
        for (int i = 0; i < pairs; i++) {
            assertThat(List.of(statuses.get(2 * i), statuses.get(2 * i + 1)))
                    .as("pair %d", i)
                    .containsExactlyInAnyOrder(200, 409);
        }
        long total = first.committedCount(Topics.EVENTS_ALL);
        Map<String, List<Long>> versions = first.records(Topics.EVENTS_ALL, (int) total).stream()
                .map(record -> EventCodec.standard().decode(record.value()))
                .filter(event -> event.getAggregateId().startsWith("pair-case-"))
                .collect(Collectors.groupingBy(
                        EventEnvelope::getAggregateId,
                        Collectors.mapping(EventEnvelope::getAggregateVersion, Collectors.toList())));
        assertThat(versions).hasSize(pairs);
        versions.values().forEach(list -> assertThat(list).containsExactly(1L, 2L));
    }

    private static URI secondUri(String path) {
        return URI.create("http://127.0.0.1:" + second.port() + path);
    }

    private static HttpResponse<String> get(URI uri) {
        return first.send(first.authorized(HttpRequest.newBuilder(uri))
                .timeout(Duration.ofSeconds(30))
                .GET()
                .build());
    }

    private static CompletableFuture<HttpResponse<String>> post(URI uri, String body) {
        return http.sendAsync(
                first.authorized(HttpRequest.newBuilder(uri))
                        .timeout(Duration.ofSeconds(30))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
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
