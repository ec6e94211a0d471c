package io.polyglot.command;

import static io.polyglot.command.RunningCommandService.JSON;
import static io.polyglot.command.RunningCommandService.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.polyglot.command.avro.CommandRecord;
import io.polyglot.command.decider.DeciderRecords;
import io.polyglot.command.decider.FirstReleasedCommands;
import io.polyglot.command.intake.CommandIntake;
import io.polyglot.command.intake.CommandTypes;
import io.polyglot.command.intake.Intake;
import io.polyglot.command.kafka.KafkaCommandLog;
import io.polyglot.runtime.KafkaClientConfig;
import io.polyglot.schemas.EventCodec;
import io.polyglot.schemas.Topics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Retries whose JSON is written differently from the first command, against the running service and a real broker:
 * the same command in effect is answered with its first decision and recorded once; a retry sent after the upgrade of
 * a command decided before it is still a retry.
 */
class RetryWrittenDifferentlyTest {

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
    void answersARetryWithItsKeysInAnotherOrderAtEveryDepthWithTheFirstDecision() {
        // given
        HttpResponse<String> first = running.postJson(first("reordered-1", "case-reordered"));

        // when
        HttpResponse<String> again = running.postJson("{\"payload\":{\"attributes\":{\"concept:name\":\"A_SUBMITTED\","
                + "\"amount\":\"20000\"},\"resource\":\"User_1\",\"occurredAt\":\"2011-10-01T00:38:44.546+02:00\","
                + "\"lifecycle\":\"COMPLETE\",\"activity\":\"A_SUBMITTED\"},\"type\":\"RecordActivity\","
                + "\"aggregateId\":\"case-reordered\",\"aggregateType\":\"LoanApplication\","
                + "\"commandId\":\"reordered-1\"}");

        // then
        assertAnsweredAsARetry(first, again, "case-reordered");
    }

    @Test
    void answersARetryThatSendsNullForTheOptionalFieldsItLeftOutWithTheFirstDecision() {
        // given: a first command without a resource
        ObjectNode command = (ObjectNode) tree(first("nulls-1", "case-nulls"));
        ((ObjectNode) command.get("payload")).remove("resource");
        HttpResponse<String> first = running.postJson(command.toString());

        // when
        command.putNull("expectedVersion");
        command.putNull("correlationId");
        command.putNull("causationId");
        ((ObjectNode) command.get("payload")).putNull("resource");
        HttpResponse<String> again = running.postJson(command.toString());

        // then
        assertAnsweredAsARetry(first, again, "case-nulls");
    }

    @Test
    void answersARetryWithTheSameInstantAtAnotherOffsetWithTheFirstDecision() {
        // given
        HttpResponse<String> first = running.postJson(first("offset-1", "case-offset"));

        // when
        HttpResponse<String> inUtc = running.postJson(
                first("offset-1", "case-offset").replace("2011-10-01T00:38:44.546+02:00", "2011-09-30T22:38:44.546Z"));
        HttpResponse<String> westOfUtc = running.postJson(first("offset-1", "case-offset")
                .replace("2011-10-01T00:38:44.546+02:00", "2011-09-30T17:38:44.546000-05:00"));

        // then
        assertAnsweredAsARetry(first, inUtc, "case-offset");
        assertAnsweredAsARetry(first, westOfUtc, "case-offset");
    }

    @Test
    void refusesABodyThatDiffersInAValueAsACommandIdReused() {
        // given
        HttpResponse<String> first = running.postJson(first("changed-1", "case-changed"));

        // when
        HttpResponse<String> instant = running.postJson(first("changed-1", "case-changed")
                .replace("2011-10-01T00:38:44.546+02:00", "2011-10-01T00:38:44.546+01:00"));
        HttpResponse<String> resource =
                running.postJson(first("changed-1", "case-changed").replace("User_1", "User_2"));

        // then
        assertThat(first.statusCode()).isEqualTo(200);
        for (HttpResponse<String> refused : List.of(instant, resource)) {
            assertThat(refused.statusCode()).isEqualTo(409);
            assertThat(json(refused).get("type").asText()).isEqualTo("urn:polyglot:problem:command-id-reused");
        }
        assertThat(eventsOf("case-changed")).isEqualTo(1);
    }

    @Test
    void answersARetryOfACommandDecidedBeforeTheUpgradeWithItsFirstDecision() throws Exception {
        // given: the command as the version before the canonical hash put it on the commands topic, and decided
        String body = first("upgrade-1", "case-upgrade");
        appendAsTheVersionBeforeTheCanonicalHash(body);
        await().atMost(Duration.ofSeconds(30))
                .until(() -> running.get("/v1/commands/upgrade-1").statusCode() == 200);
        JsonNode decided = json(running.get("/v1/commands/upgrade-1"));

        // when
        HttpResponse<String> again = running.postJson(body);

        // then
        assertThat(decided.get("status").asText()).isEqualTo("accepted");
        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(json(again).get("replayed").asBoolean()).isTrue();
        assertThat(json(again).get("events")).isEqualTo(decided.get("events"));
        assertThat(eventsOf("case-upgrade")).isEqualTo(1);
    }

    /**
     * Appends {@code body} to the commands topic as the version before the canonical hash did: a record of the first
     * released schema whose only hash is the SHA-256 of the parsed JSON written compactly in the order sent.
     */
    private static void appendAsTheVersionBeforeTheCanonicalHash(String body) throws Exception {
        String hashAsSent = HexFormat.of()
                .formatHex(MessageDigest.getInstance("SHA-256").digest(JSON.writeValueAsBytes(tree(body))));
        CommandIntake intake = new CommandIntake(
                CommandTypes.standard(), EventCodec.standard(), Clock.systemUTC(), UUID::randomUUID, 1_048_576);
        Intake.Accepted accepted = (Intake.Accepted) intake.read(body.getBytes(StandardCharsets.UTF_8));
        try (Producer<byte[], byte[]> producer = new KafkaProducer<>(
                KafkaClientConfig.producer(running.broker.bootstrapServers(), 1_048_576, Map.of()))) {
            ProducerRecord<byte[], byte[]> record =
                    KafkaCommandLog.commands(producer).record(accepted);
            CommandRecord asBefore = CommandRecord.newBuilder(DeciderRecords.command(record.value()))
                    .setBodyHash(hashAsSent)
                    .build();
            producer.send(new ProducerRecord<>(Topics.COMMANDS, record.key(), FirstReleasedCommands.encode(asBefore)))
                    .get();
        }
    }

    private static void assertAnsweredAsARetry(
            HttpResponse<String> first, HttpResponse<String> again, String aggregateId) {
        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(json(first).get("status").asText()).isEqualTo("accepted");
        assertThat(again.statusCode()).as(again.body()).isEqualTo(200);
        assertThat(json(again)).isEqualTo(((ObjectNode) json(first)).put("replayed", true));
        assertThat(eventsOf(aggregateId)).isEqualTo(1);
    }

    private static long eventsOf(String aggregateId) {
        return running.events().stream()
                .filter(event -> event.getAggregateId().equals(aggregateId))
                .count();
    }

    /** A command as a client first sends it, with the optional fields it has no value for left out. */
    private static String first(String commandId, String aggregateId) {
        return "{\"commandId\":\"" + commandId + "\",\"aggregateType\":\"LoanApplication\",\"aggregateId\":\""
                + aggregateId + "\",\"type\":\"RecordActivity\",\"payload\":{\"activity\":\"A_SUBMITTED\","
                + "\"lifecycle\":\"COMPLETE\",\"resource\":\"User_1\",\"occurredAt\":\"2011-10-01T00:38:44.546+02:00\","
                + "\"attributes\":{\"amount\":\"20000\",\"concept:name\":\"A_SUBMITTED\"}}}";
    }

    private static JsonNode tree(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
