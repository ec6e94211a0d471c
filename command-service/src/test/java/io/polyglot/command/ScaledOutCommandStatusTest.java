package io.polyglot.command;

import static io.polyglot.command.RunningCommandService.json;
import static io.polyglot.command.intake.ValidCommands.recordActivity;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.polyglot.schemas.Topics;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /v1/commands/{id}} on two instances of one decider application, the second started after the first has
 * decided commands on every partition. A second instance scaled out next to a first that holds a large state keeps
 * only warm-up copies of its stores, and decides nothing, until a probing rebalance hands it tasks; here a small state
 * counts as large ({@code acceptable.recovery.lag} of a few records) and the probing rebalance comes after its
 * shortest interval, a minute. Before and after that hand-over, each instance answers for every command, decided by
 * itself or by the other, and while the tasks move it answers a decision or a 503 to retry. The tests run in order:
 * the first two while the second instance owns no partition, the third through the hand-over, the last after it.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ScaledOutCommandStatusTest {

    private static final int PARTITIONS = 3;
    private static final int COMMANDS_PER_PARTITION = 4;
    private static final String APPLICATION_ID = "polyglot-decider";
    private static final String FIRST = "status-first";
    private static final String SECOND = "status-second";

    @TempDir
    static Path dataDir;

    static RunningCommandService first;
    static CommandService second;
    static Admin admin;
    static final List<String> decidedByFirst = new ArrayList<>();

    @BeforeAll
    static void start() {
        first = RunningCommandService.start(dataDir, settings(FIRST));
        admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, first.broker.bootstrapServers()));
        // Every partition's changelogs get more records than the recovery lag the second instance may start with.
        for (int partition = 0; partition < PARTITIONS; partition++) {
            for (String aggregate : aggregatesOn(partition, "before-", COMMANDS_PER_PARTITION)) {
                String commandId = "cmd-" + aggregate;
                assertThat(first.postJson(loan(commandId, aggregate)).statusCode())
                        .isEqualTo(200);
                decidedByFirst.add(commandId);
            }
        }
        Map<String, String> env = new HashMap<>(settings(SECOND));
        env.put("KAFKA_BOOTSTRAP_SERVERS", first.broker.bootstrapServers());
        env.put("HTTP_PORT", "0");
        env.put("TOPIC_PARTITIONS", String.valueOf(PARTITIONS));
        env.put("DECIDER_STATE_DIR", dataDir.resolve("decider-2").toString());
        second = CommandService.start(CommandServiceConfig.from(env), Clock.systemUTC());
    }

    @AfterAll
    static void stop() {
        if (second != null) {
            second.close();
        }
        if (admin != null) {
            admin.close(Duration.ofSeconds(5));
        }
        first.close();
    }

    @Test
    @Order(1)
    void answersEveryCommandAndEveryUnknownIdFromBothInstancesWhileTheSecondOwnsNoPartition() throws Exception {
        // given
        assertThat(commandPartitionsOf(SECOND))
                .as("partitions the joining instance decides")
                .isEmpty();

        // when / then
        assertAcceptedOnBoth(decidedByFirst);
        assertUnknownOnBoth("never-sent-while-warming");
    }

    @Test
    @Order(2)
    void answersAnAsynchronousCommandAtTheLocationTheSecondInstanceGaveWhileItOwnsNoPartition() throws Exception {
        // given
        assertThat(commandPartitionsOf(SECOND))
                .as("partitions the joining instance decides")
                .isEmpty();

        // when
        HttpResponse<String> answer =
                first.send(first.authorized(HttpRequest.newBuilder(uri(second).resolve("/v1/commands")))
                        .timeout(Duration.ofSeconds(30))
                        .header("Content-Type", "application/json")
                        .header("Prefer", "respond-async")
                        .POST(HttpRequest.BodyPublishers.ofString(loan("async-on-second", "async-case")))
                        .build());

        // then
        assertThat(answer.statusCode()).isEqualTo(202);
        URI location =
                uri(second).resolve(answer.headers().firstValue("Location").orElseThrow());
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            HttpResponse<String> status = get(location);
            assertThat(status.statusCode()).as(status.body()).isEqualTo(200);
            assertThat(json(status).get("status").asText()).isEqualTo("accepted");
        });
    }

    @Test
    @Order(3)
    void answersEveryCommandWithItsDecisionOrARetryAfterWhileTheProbingRebalanceHandsTasksOver() {
        // given
        Queue<HttpResponse<String>> answers = new ConcurrentLinkedQueue<>();

        // when: the commands are read from both instances until the second decides partitions of its own
        await().atMost(Duration.ofSeconds(150))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> {
                    for (String commandId : decidedByFirst) {
                        answers.add(get(uri(first.service).resolve("/v1/commands/" + commandId)));
                        answers.add(get(uri(second).resolve("/v1/commands/" + commandId)));
                    }
                    return !commandPartitionsOf(SECOND).isEmpty();
                });

        // then: a store moving between the instances is an answer to retry, never a failure
        assertThat(answers)
                .extracting(HttpResponse::statusCode)
                .isSubsetOf(200, 503)
                .contains(200);
        assertThat(answers)
                .filteredOn(answer -> answer.statusCode() == 503)
                .allSatisfy(answer ->
                        assertThat(answer.headers().firstValue("Retry-After")).isPresent());
    }

    @Test
    @Order(4)
    void answersCommandsDecidedByEachInstanceFromBothOnceTheSecondOwnsPartitions() throws Exception {
        // given: the probing rebalance has handed the second instance the tasks it warmed up
        await().atMost(Duration.ofSeconds(150))
                .pollInterval(Duration.ofSeconds(1))
                .until(() -> !commandPartitionsOf(SECOND).isEmpty()
                        && !commandPartitionsOf(FIRST).isEmpty());
        List<String> commands = new ArrayList<>();
        for (String member : List.of(FIRST, SECOND)) {
            int partition = commandPartitionsOf(member).get(0);
            String aggregate =
                    aggregatesOn(partition, "after-" + member + "-", 1).get(0);
            commands.add("cmd-" + aggregate);
            // Sent to the instance that does not decide it, as a client that knows nothing of partitions would.
            CommandService other = member.equals(FIRST) ? second : first.service;
            HttpResponse<String> sent = post(uri(other).resolve("/v1/commands"), loan("cmd-" + aggregate, aggregate));
            assertThat(sent.statusCode()).as(sent.body()).isEqualTo(200);
        }

        // when / then
        // A rebalance may still be settling: a 503 in the meantime is an answer to retry.
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertAcceptedOnBoth(commands));
        assertUnknownOnBoth("never-sent-once-shared");
    }

    private static void assertAcceptedOnBoth(List<String> commandIds) {
        for (String commandId : commandIds) {
            for (URI instance : List.of(uri(first.service), uri(second))) {
                HttpResponse<String> status = get(instance.resolve("/v1/commands/" + commandId));
                assertThat(status.statusCode())
                        .as("%s at %s: %s", commandId, instance, status.body())
                        .isEqualTo(200);
                assertThat(json(status).get("commandId").asText()).isEqualTo(commandId);
                assertThat(json(status).get("status").asText()).isEqualTo("accepted");
            }
        }
    }

    private static void assertUnknownOnBoth(String commandId) {
        for (URI instance : List.of(uri(first.service), uri(second))) {
            HttpResponse<String> status = get(instance.resolve("/v1/commands/" + commandId));
            assertThat(status.statusCode())
                    .as("%s at %s: %s", commandId, instance, status.body())
                    .isEqualTo(404);
        }
    }

    /** Both instances' settings on top of the test defaults: one application, told apart by their client ids. */
    private static Map<String, String> settings(String clientId) {
        return Map.of(
                "KAFKA_STREAMS_CLIENT_ID", clientId,
                "KAFKA_STREAMS_ACCEPTABLE_RECOVERY_LAG", "5",
                "KAFKA_STREAMS_PROBING_REBALANCE_INTERVAL_MS", "60000");
    }

    /** {@code count} aggregate ids starting with {@code prefix} whose commands land in {@code partition}. */
    private static List<String> aggregatesOn(int partition, String prefix, int count) {
        List<String> aggregates = new ArrayList<>();
        for (int i = 0; aggregates.size() < count; i++) {
            String aggregate = prefix + i;
            byte[] key = aggregate.getBytes(StandardCharsets.UTF_8);
            // The producer's default partitioner: murmur2 of the key's bytes.
            if (Utils.toPositive(Utils.murmur2(key)) % PARTITIONS == partition) {
                aggregates.add(aggregate);
            }
        }
        return aggregates;
    }

    /** The partitions of {@code commands} the group's coordinator has assigned to the instance with that client id. */
    private static List<Integer> commandPartitionsOf(String clientId) throws Exception {
        ConsumerGroupDescription group = admin.describeConsumerGroups(List.of(APPLICATION_ID))
                .describedGroups()
                .get(APPLICATION_ID)
                .get(30, TimeUnit.SECONDS);
        return group.members().stream()
                .filter(member -> member.clientId().startsWith(clientId + "-"))
                .flatMap(member -> member.assignment().topicPartitions().stream())
                .filter(partition -> partition.topic().equals(Topics.COMMANDS))
                .map(TopicPartition::partition)
                .sorted()
                .toList();
    }

    private static URI uri(CommandService service) {
        return URI.create("http://127.0.0.1:" + service.port());
    }

    private static HttpResponse<String> get(URI uri) {
        return first.send(first.authorized(HttpRequest.newBuilder(uri))
                .timeout(Duration.ofSeconds(30))
                .GET()
                .build());
    }

    private static HttpResponse<String> post(URI uri, String body) {
        return first.send(first.authorized(HttpRequest.newBuilder(uri))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build());
    }

    private static String loan(String commandId, String caseId) {
        ObjectNode command = recordActivity(commandId, caseId);
        ((ObjectNode) command.get("payload")).put("activity", "A_SUBMITTED");
        return command.toString();
    }
}
