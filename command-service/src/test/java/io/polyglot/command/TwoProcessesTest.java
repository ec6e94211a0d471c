package io.polyglot.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.polyglot.command.intake.ValidCommands;
import io.polyglot.runtime.TopicSetup;
import io.polyglot.schemas.Limits;
import io.polyglot.schemas.Topics;
import io.polyglot.schemas.avro.EventEnvelope;
import io.polyglot.stack.FreePorts;
import io.polyglot.testservers.TestKafka;
import io.polyglot.testservers.TestServers;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Two command-service processes ({@code java -jar command-service.jar}) against one broker, as one decider
 * application, the way {@code ./polyglot up --scale command-service=2} runs them. The racing pairs need both alive, so
 * they run first; the last test kills one of them with SIGKILL.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TwoProcessesTest {
    private static final Logger log = LoggerFactory.getLogger(TwoProcessesTest.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(40);
    private static final int PARTITIONS = 6;

    @TempDir
    static Path dataDir;

    static TestKafka broker;
    static String applicationId;
    static final List<Process> processes = new ArrayList<>();
    static final List<URI> instances = new ArrayList<>();
    static final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    static final ExecutorService clients = Executors.newFixedThreadPool(32);

    @BeforeAll
    static void start() throws IOException {
        Path jar = Path.of(System.getProperty("polyglot.root"), "command-service", "target", "command-service.jar");
        assertThat(jar)
                .as("the service's jar; build it with mvn -o -q -pl command-service package -DskipTests")
                .isRegularFile();
        broker = TestServers.kafka(dataDir.resolve("kafka"));
        try (Admin admin =
                Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
            TopicSetup.ensure(admin, PARTITIONS, (short) 1, Limits.DEFAULT_COMMAND_MAX_BYTES);
        }
        applicationId = "decider-two-processes-" + UUID.randomUUID();
        for (int i = 1; i <= 2; i++) {
            int port = FreePorts.pick();
            ProcessBuilder builder = new ProcessBuilder(
                            Path.of(System.getProperty("java.home"), "bin", "java")
                                    .toString(),
                            "-Xmx384m",
                            "-jar",
                            jar.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(
                            dataDir.resolve("command-service-" + i + ".log").toFile());
            Map<String, String> env = builder.environment();
            env.put("KAFKA_BOOTSTRAP_SERVERS", broker.bootstrapServers());
            env.put("HTTP_HOST", "127.0.0.1");
            env.put("HTTP_PORT", String.valueOf(port));
            env.put("TOPIC_PARTITIONS", String.valueOf(PARTITIONS));
            env.put("DECIDER_APPLICATION_ID", applicationId);
            // Names the process's decider clients, so that the group's assignment tells the two processes apart.
            env.put("KAFKA_STREAMS_CLIENT_ID", clientId(i - 1));
            env.put(
                    "DECIDER_STATE_DIR",
                    Files.createDirectories(dataDir.resolve("decider-" + i)).toString());
            // Long enough that a rebalance or a takeover after a kill answers decided rather than 202 pending.
            env.put("DECISION_WAIT", "30s");
            // The survivor takes over a killed instance's partitions after this, not after the 45 s default.
            env.put("KAFKA_STREAMS_SESSION_TIMEOUT_MS", "6000");
            env.put("KAFKA_STREAMS_HEARTBEAT_INTERVAL_MS", "1500");
            processes.add(builder.start());
            instances.add(URI.create("http://127.0.0.1:" + port));
        }
        for (URI instance : instances) {
            await().atMost(Duration.ofSeconds(60))
                    .ignoreExceptions()
                    .until(() -> send(get(instance.resolve("/health/ready"))).statusCode() == 200);
        }
        // Both decide once each has answered one command: the group has formed with both members.
        for (int i = 0; i < instances.size(); i++) {
            String body = command("warm-" + i, "Order", "warm-" + i, "OrderPlaced", null);
            assertThat(send(post(instances.get(i), body)).statusCode()).isEqualTo(200);
        }
    }

    @AfterAll
    static void stop() {
        clients.shutdownNow();
        for (Process process : processes) {
            process.destroy();
        }
        for (Process process : processes) {
            try {
                if (!process.waitFor(30, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        }
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    @Order(1)
    void acceptsExactlyOneOfEachPairOfRacingCommandsSentOneToEachProcess() {
        // given
        String run = "race-" + UUID.randomUUID() + "-";
        int pairs = 200;

        // when: every pair twice, first racing to create the aggregate (expected 0), then to extend it (expected 1)
        List<Integer> created = race(run, pairs, "A_SUBMITTED", "A_SUBMITTED", 0L);
        List<Integer> extended = race(run, pairs, "A_PARTLYSUBMITTED", "A_DECLINED", 1L);

        // then
        for (List<Integer> round : List.of(created, extended)) {
            for (int i = 0; i < pairs; i++) {
                assertThat(List.of(round.get(2 * i), round.get(2 * i + 1)))
                        .as("pair %d", i)
                        .containsExactlyInAnyOrder(200, 409);
            }
        }
        Map<String, List<Long>> versions = events().stream()
                .filter(event -> event.getAggregateId().startsWith(run))
                .collect(Collectors.groupingBy(
                        EventEnvelope::getAggregateId,
                        Collectors.mapping(EventEnvelope::getAggregateVersion, Collectors.toList())));
        assertThat(versions).hasSize(pairs);
        versions.forEach((aggregate, list) -> assertThat(list).as(aggregate).containsExactly(1L, 2L));
    }

    @Test
    @Order(2)
    void decidesEveryCommandOnceWhenOneProcessIsKilledWhileCommandsAreInFlight() throws Exception {
        // given
        String run = "kill-" + UUID.randomUUID() + "-";
        int commands = 2_000;
        int aggregates = 200;
        AtomicInteger answered = new AtomicInteger();
        AtomicInteger retried = new AtomicInteger();
        List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
        for (int i = 0; i < commands; i++) {
            String body = command(run + i, "Order", run + "order-" + (i % aggregates), "OrderPlaced", null);
            int first = i % 2;
            answers.add(CompletableFuture.supplyAsync(
                    () -> {
                        HttpResponse<String> answer = sendUntilAnswered(body, first, retried);
                        answered.incrementAndGet();
                        return answer;
                    },
                    clients));
        }

        // when
        await().atMost(Duration.ofSeconds(60)).until(() -> answered.get() >= 400);
        List<Integer> victimPartitions = commandPartitionsOf(0);
        Process victim = processes.get(0);
        victim.destroyForcibly();
        long killedAt = System.nanoTime();
        int answeredBeforeKill = answered.get();
        assertThat(victim.waitFor(10, TimeUnit.SECONDS)).isTrue();
        await().atMost(Duration.ofSeconds(60))
                .until(() -> commandPartitionsOf(1).size() == PARTITIONS);
        log.info(
                "The survivor owned every partition of commands {} ms after the kill (the killed process had {})",
                Duration.ofNanos(System.nanoTime() - killedAt).toMillis(),
                victimPartitions);
        List<HttpResponse<String>> decided = new ArrayList<>();
        for (CompletableFuture<HttpResponse<String>> answer : answers) {
            decided.add(answer.get(90, TimeUnit.SECONDS));
        }

        // then: an Order has no rules and no expected version, so every command is accepted
        URI survivor = instances.get(1);
        assertThat(victimPartitions)
                .as("partitions of commands the killed process owned: it must have had work to hand over")
                .isNotEmpty();
        assertThat(answeredBeforeKill).as("answers before the kill").isLessThan(commands);
        assertThat(retried.get())
                .as("commands sent again after a failed attempt")
                .isPositive();
        assertThat(answered.get()).isEqualTo(commands);
        assertThat(decided).extracting(HttpResponse::statusCode).containsOnly(200);
        for (int i = 0; i < commands; i++) {
            HttpResponse<String> status = send(get(survivor.resolve("/v1/commands/" + run + i)));
            assertThat(status.statusCode()).as("decision of %s", run + i).isEqualTo(200);
            assertThat(json(status).get("status").asText()).isEqualTo("accepted");
        }
        List<EventEnvelope> events = events().stream()
                .filter(event -> event.getAggregateId().startsWith(run))
                .toList();
        Map<String, Long> perCommand =
                events.stream().collect(Collectors.groupingBy(EventEnvelope::getCommandId, Collectors.counting()));
        assertThat(perCommand).hasSize(commands);
        assertThat(perCommand.values()).containsOnly(1L);
        Map<String, List<Long>> versions = events.stream()
                .collect(Collectors.groupingBy(
                        EventEnvelope::getAggregateId,
                        Collectors.mapping(EventEnvelope::getAggregateVersion, Collectors.toList())));
        assertThat(versions).hasSize(aggregates);
        versions.forEach((aggregate, list) -> assertThat(list)
                .as(aggregate)
                .containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(1, list.size())
                        .boxed()
                        .toList()));
    }

    /** Each pair's two commands start together, one to each process; the statuses in pair order. */
    private static List<Integer> race(String run, int pairs, String activityA, String activityB, long expected) {
        List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
        for (int i = 0; i < pairs; i++) {
            String aggregate = run + i;
            String a = command(aggregate + "-" + expected + "a", "LoanApplication", aggregate, activityA, expected);
            String b = command(aggregate + "-" + expected + "b", "LoanApplication", aggregate, activityB, expected);
            answers.add(CompletableFuture.supplyAsync(() -> send(post(instances.get(0), a)), clients));
            answers.add(CompletableFuture.supplyAsync(() -> send(post(instances.get(1), b)), clients));
        }
        List<HttpResponse<String>> responses =
                answers.stream().map(CompletableFuture::join).toList();
        responses.stream()
                .filter(response -> response.statusCode() == 409)
                .forEach(response ->
                        assertThat(json(response).get("type").asText()).endsWith("version-conflict"));
        return responses.stream().map(HttpResponse::statusCode).toList();
    }

    /**
     * What a careful client does: sends the command, and while it gets no decision (the connection fails, 503, or
     * 202 pending) sends it again with the same command id and body to the other process.
     */
    private static HttpResponse<String> sendUntilAnswered(String body, int first, AtomicInteger retried) {
        int target = first;
        for (int attempt = 0; attempt < 1_000; attempt++) {
            if (attempt == 1) {
                retried.incrementAndGet();
            }
            try {
                HttpResponse<String> answer =
                        http.send(post(instances.get(target), body), HttpResponse.BodyHandlers.ofString());
                if (answer.statusCode() == 200 || answer.statusCode() == 409) {
                    return answer;
                }
            } catch (IOException e) {
                // the process is gone or cut the connection: the other one gets the retry
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            target = 1 - target;
        }
        throw new AssertionError("no decision after 1000 attempts for " + body);
    }

    private static List<EventEnvelope> events() {
        return RunningCommandService.events(broker.bootstrapServers());
    }

    /** The {@code client.id} prefix of the decider clients of process {@code index} (0 or 1). */
    private static String clientId(int index) {
        return "command-service-" + (index + 1);
    }

    /**
     * The partitions of {@code commands} that the decider group's coordinator has assigned to process {@code index}
     * now, as the broker describes the group: the process's stream thread consumes them, so it owns their aggregates.
     */
    private static List<Integer> commandPartitionsOf(int index) throws Exception {
        try (Admin admin =
                Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
            ConsumerGroupDescription group = admin.describeConsumerGroups(List.of(applicationId))
                    .describedGroups()
                    .get(applicationId)
                    .get(30, TimeUnit.SECONDS);
            return group.members().stream()
                    .filter(member -> member.clientId().startsWith(clientId(index) + "-"))
                    .flatMap(member -> member.assignment().topicPartitions().stream())
                    .filter(partition -> partition.topic().equals(Topics.COMMANDS))
                    .map(TopicPartition::partition)
                    .sorted()
                    .toList();
        }
    }

    private static String command(
            String commandId, String aggregateType, String aggregateId, String activity, Long expectedVersion) {
        ObjectNode command = ValidCommands.recordActivity(commandId, aggregateId);
        command.put("aggregateType", aggregateType);
        ((ObjectNode) command.get("payload")).put("activity", activity);
        if (expectedVersion != null) {
            command.put("expectedVersion", expectedVersion);
        }
        return command.toString();
    }

    private static HttpRequest post(URI instance, String body) {
        return HttpRequest.newBuilder(instance.resolve("/v1/commands"))
                .timeout(ANSWER_TIMEOUT)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
    }

    private static HttpRequest get(URI uri) {
        return HttpRequest.newBuilder(uri).timeout(ANSWER_TIMEOUT).GET().build();
    }

    private static HttpResponse<String> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode json(HttpResponse<String> response) {
        try {
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
