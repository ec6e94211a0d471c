package io.polyglot.command;

import static io.polyglot.command.RunningCommandService.json;
import static io.polyglot.command.intake.ValidCommands.recordActivity;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.polyglot.command.intake.Intake;
import io.polyglot.command.kafka.KafkaCommandLog;
import io.polyglot.runtime.KafkaClientConfig;
import io.polyglot.schemas.EventCodec;
import io.polyglot.schemas.Topics;
import io.polyglot.schemas.avro.EventEnvelope;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the decider guarantees with a real broker: idempotent re-imports, one winner per race, key placement. */
class DeciderGuaranteesTest {

    private static final String NDJSON = "application/x-ndjson";
    private static final List<String> KEYS =
            List.of("fd7af248-ce5c-46a5-93d7-1c0c9005b99d", "ord-42", "a", "Ω-ключ-🙂");

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
    void producesNoNewEventWhenTheSameCommandsAreImportedAgain() {
        // given
        List<String> lines = new ArrayList<>();
        for (int c = 0; c < 20; c++) {
            for (String activity : List.of("A_SUBMITTED", "A_PARTLYSUBMITTED", "A_PREACCEPTED")) {
                lines.add(loan("reimport-" + c + "-" + activity, "reimport-case-" + c, activity, null));
            }
        }
        String body = String.join("\n", lines);
        HttpResponse<String> first = running.post("/v1/commands:batch", NDJSON, body);
        long before = running.committedCount(Topics.EVENTS_ALL);

        // when
        HttpResponse<String> second = running.post("/v1/commands:batch", NDJSON, body);

        // then
        assertThat(statuses(first)).hasSize(60).containsOnly("accepted");
        assertThat(first.body().lines().map(line -> json(line).has("replayed"))).containsOnly(false);
        List<String> firstLines = first.body().lines().toList();
        List<String> secondLines = second.body().lines().toList();
        assertThat(secondLines).hasSize(60);
        for (int i = 0; i < secondLines.size(); i++) {
            // the earlier decision again, events and versions included, marked as replayed
            ObjectNode expected = (ObjectNode) json(firstLines.get(i));
            assertThat(json(secondLines.get(i))).isEqualTo(expected.put("replayed", true));
        }
        assertThat(running.committedCount(Topics.EVENTS_ALL)).isEqualTo(before);
    }

    @Test
    void refusesEveryCommandOfAnImportReplayedWithItsIdsForOtherAggregatesAndProducesNothing() {
        // given
        List<String> original = new ArrayList<>();
        List<String> replayed = new ArrayList<>();
        for (int c = 0; c < 30; c++) {
            original.add(loan("replayed-" + c, "replayed-case-" + c, "A_SUBMITTED", null));
            replayed.add(loan("replayed-" + c, "replayed-elsewhere-" + c, "A_SUBMITTED", null));
        }
        HttpResponse<String> first = running.post("/v1/commands:batch", NDJSON, String.join("\n", original));
        long before = running.committedCount(Topics.EVENTS_ALL);

        // when
        HttpResponse<String> second = running.post("/v1/commands:batch", NDJSON, String.join("\n", replayed));

        // then
        assertThat(statuses(first)).hasSize(30).containsOnly("accepted");
        assertThat(second.body()
                        .lines()
                        .map(line -> json(line).get("problem").get("type").asText()))
                .hasSize(30)
                .containsOnly("urn:polyglot:problem:command-id-reused");
        assertThat(running.committedCount(Topics.EVENTS_ALL)).isEqualTo(before);
    }

    @Test
    void acceptsExactlyOneOfTwoRacingCommandsWithTheSameExpectedVersion() {
        // given
        int pairs = 25;
        for (int i = 0; i < pairs; i++) {
            assertThat(running.postJson(loan("race-" + i + "-0", "race-case-" + i, "A_SUBMITTED", 0L))
                            .statusCode())
                    .isEqualTo(200);
        }
        HttpClient client =
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

        // when
        List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
        for (int i = 0; i < pairs; i++) {
            for (String side : List.of("a", "b")) {
                String command = loan("race-" + i + "-" + side, "race-case-" + i, "A_PARTLYSUBMITTED", 1L);
                answers.add(client.sendAsync(postJson(command), HttpResponse.BodyHandlers.ofString()));
            }
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
        Map<String, List<Long>> versions = events().stream()
                .filter(event -> event.getAggregateId().startsWith("race-case-"))
                .collect(Collectors.groupingBy(
                        EventEnvelope::getAggregateId,
                        Collectors.mapping(EventEnvelope::getAggregateVersion, Collectors.toList())));
        assertThat(versions).hasSize(pairs);
        versions.values().forEach(list -> assertThat(list).containsExactly(1L, 2L));
    }

    @Test
    void placesEachCommandInTheMurmur2PartitionOfItsUtf8KeyWithSixAndThirtyTwoPartitions() throws Exception {
        // given
        try (Admin admin = Admin.create(
                        Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, running.broker.bootstrapServers()));
                Producer<byte[], byte[]> producer = new KafkaProducer<>(
                        KafkaClientConfig.producer(running.broker.bootstrapServers(), 1_048_576, Map.of()))) {
            admin.createTopics(List.of(
                            new NewTopic("placement-6", 6, (short) 1), new NewTopic("placement-32", 32, (short) 1)))
                    .all()
                    .get();
            for (int partitions : List.of(6, 32)) {
                KafkaCommandLog log = new KafkaCommandLog(producer, EventCodec.standard(), "placement-" + partitions);
                for (String key : KEYS) {
                    // when
                    int partition =
                            producer.send(log.record(command(key))).get().partition();

                    // then
                    assertThat(partition).as(key).isEqualTo(murmur2Partition(key, partitions));
                }
            }
        }
    }

    @Test
    void appendsEachAggregatesEventsInTheMurmur2PartitionOfItsUtf8Key() {
        // given
        for (String key : KEYS) {
            ObjectNode command = recordActivity("placed-" + key, key);
            command.put("aggregateType", "Ticket");
            assertThat(running.postJson(command.toString()).statusCode()).isEqualTo(200);
        }

        // when
        List<ConsumerRecord<byte[], byte[]>> records =
                running.records(Topics.EVENTS_ALL, (int) running.committedCount(Topics.EVENTS_ALL));

        // then
        Map<String, Integer> partitionByKey = records.stream()
                .filter(record -> KEYS.contains(new String(record.key(), StandardCharsets.UTF_8)))
                .collect(Collectors.toMap(
                        record -> new String(record.key(), StandardCharsets.UTF_8),
                        ConsumerRecord::partition,
                        (a, b) -> a));
        assertThat(partitionByKey).hasSize(KEYS.size());
        partitionByKey.forEach((key, partition) -> assertThat(partition).as(key).isEqualTo(murmur2Partition(key, 3)));
    }

    private static int murmur2Partition(String key, int partitions) {
        return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % partitions;
    }

    private static Intake.Accepted command(String aggregateId) {
        return new Intake.Accepted(
                "placement-" + aggregateId,
                "RecordActivity",
                "Ticket",
                aggregateId,
                Optional.empty(),
                "0",
                "0",
                List.of());
    }

    private static HttpRequest postJson(String body) {
        return HttpRequest.newBuilder(running.uri("/v1/commands"))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
    }

    private static List<EventEnvelope> events() {
        long total = running.committedCount(Topics.EVENTS_ALL);
        return running.records(Topics.EVENTS_ALL, (int) total).stream()
                .map(record -> EventCodec.standard().decode(record.value()))
                .toList();
    }

    private static List<String> statuses(HttpResponse<String> response) {
        return response.body()
                .lines()
                .map(line -> json(line).get("status").asText())
                .toList();
    }

    private static String loan(String commandId, String caseId, String activity, Long expectedVersion) {
        ObjectNode command = recordActivity(commandId, caseId);
        ((ObjectNode) command.get("payload")).put("activity", activity);
        if (expectedVersion != null) {
            command.put("expectedVersion", expectedVersion);
        }
        return command.toString();
    }

    private static JsonNode json(String line) {
        try {
            return RunningCommandService.JSON.readTree(line);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
