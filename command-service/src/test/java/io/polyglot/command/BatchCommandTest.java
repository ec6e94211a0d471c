package io.polyglot.command;

import static io.polyglot.command.RunningCommandService.JSON;
import static io.polyglot.command.SingleCommandTest.assertProblem;
import static io.polyglot.command.intake.ValidCommands.recordActivity;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.polyglot.schemas.EventCodec;
import io.polyglot.schemas.Topics;
import io.polyglot.schemas.avro.ActivityRecorded;
import io.polyglot.schemas.avro.EventEnvelope;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code POST /v1/commands:batch} against the running service and a real broker. */
class BatchCommandTest {

    private static final String NDJSON = "application/x-ndjson";

    @TempDir
    static Path dataDir;

    static RunningCommandService running;

    @BeforeAll
    static void start() {
        running = RunningCommandService.start(dataDir, Map.of("BATCH_MAX_LINES", "600"));
    }

    @AfterAll
    static void stop() {
        running.close();
    }

    @Test
    void answersEveryLineInOrderAndProducesOnlyTheGoodOnes() {
        // given
        ObjectNode unknownField = recordActivity("batch-3", "case-b");
        unknownField.put("colour", "red");
        String body = String.join(
                "\n",
                activity("batch-1", "case-a", "A_SUBMITTED").toString(),
                "{not json",
                unknownField.toString(),
                "",
                activity("batch-5", "case-a", "A_PARTLYSUBMITTED").toString(),
                activity("batch-6", "case-b", "A_SUBMITTED").toString());
        long before = running.committedCount(Topics.EVENTS_ALL);

        // when
        HttpResponse<String> response = running.post("/v1/commands:batch", NDJSON, body + "\n");

        // then
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type"))
                .hasValueSatisfying(t -> assertThat(t).startsWith(NDJSON));
        List<JsonNode> results = lines(response);
        assertThat(results).extracting(r -> r.get("line").asInt()).containsExactly(1, 2, 3, 5, 6);
        assertThat(results)
                .extracting(r -> r.get("status").asText())
                .containsExactly("accepted", "rejected", "rejected", "accepted", "accepted");
        assertThat(results.get(1).get("problem").get("type").asText()).isEqualTo("urn:polyglot:problem:malformed-json");
        assertThat(results.get(2).get("commandId").asText()).isEqualTo("batch-3");
        assertThat(results.get(2)
                        .get("problem")
                        .get("errors")
                        .get(0)
                        .get("pointer")
                        .asText())
                .isEqualTo("/colour");
        assertThat(results.get(0).get("events").get(0).get("eventId").asText()).isNotBlank();
        assertThat(running.committedCount(Topics.EVENTS_ALL)).isEqualTo(before + 3);

        List<EventEnvelope> events = eventsOfCommands("batch-");
        assertThat(events)
                .extracting(EventEnvelope::getCommandId)
                .containsExactlyInAnyOrder("batch-1", "batch-5", "batch-6");
        assertThat(events)
                .filteredOn(e -> e.getAggregateId().equals("case-a"))
                .extracting(EventEnvelope::getCommandId)
                .containsExactly("batch-1", "batch-5");
    }

    @Test
    void keepsTheOrderOfEachAggregatesEventsOnTheTopic() {
        // given
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            ObjectNode command = activity("order-" + i, "order-case-" + (i % 7), "step-" + i);
            // An aggregate type without rules, so that any activity is accepted.
            command.put("aggregateType", "OrderCase");
            lines.add(command.toString());
        }
        long before = running.committedCount(Topics.EVENTS_ALL);

        // when
        HttpResponse<String> response = running.post("/v1/commands:batch", NDJSON, String.join("\n", lines));

        // then
        assertThat(lines(response))
                .allSatisfy(r -> assertThat(r.get("status").asText()).isEqualTo("accepted"));
        assertThat(running.committedCount(Topics.EVENTS_ALL)).isEqualTo(before + 500);
        List<EventEnvelope> ordered = eventsOfCommands("order-");
        Map<String, List<Integer>> stepsByCase = ordered.stream()
                .collect(Collectors.groupingBy(
                        EventEnvelope::getAggregateId,
                        Collectors.mapping(BatchCommandTest::step, Collectors.toList())));
        assertThat(stepsByCase).hasSize(7);
        stepsByCase.values().forEach(steps -> assertThat(steps).isSorted().hasSizeGreaterThan(70));
        Map<String, List<Long>> versionsByCase = ordered.stream()
                .collect(Collectors.groupingBy(
                        EventEnvelope::getAggregateId,
                        Collectors.mapping(EventEnvelope::getAggregateVersion, Collectors.toList())));
        versionsByCase
                .values()
                .forEach(versions -> assertThat(versions)
                        .isEqualTo(LongStream.rangeClosed(1, versions.size())
                                .boxed()
                                .toList()));
    }

    @Test
    void answersEveryGoodLinePendingOnceKafkaHasItWhenAskedToRespondAsync() throws Exception {
        // given
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            ObjectNode command = activity("async-" + i, "async-case-" + (i % 4), "step-" + i);
            command.put("aggregateType", "OrderCase");
            lines.add(command.toString());
        }
        lines.add("{not json");
        long before = running.committedCount(Topics.EVENTS_ALL);

        // when
        HttpResponse<String> response = running.send(HttpRequest.newBuilder(running.uri("/v1/commands:batch"))
                .timeout(Duration.ofSeconds(60))
                .header("Content-Type", NDJSON)
                .header("Prefer", "respond-async")
                .POST(HttpRequest.BodyPublishers.ofString(String.join("\n", lines)))
                .build());

        // then: the good lines are durably in Kafka. A case's lines go to Kafka one after another, so the decider
        // may have decided the early ones; the last line of each case was stored just before the answer and is not
        // decided yet (the decider commits every 100 ms at the soonest). The bad line is refused as without the
        // preference.
        assertThat(response.statusCode()).isEqualTo(200);
        List<JsonNode> results = lines(response);
        assertThat(results.subList(0, 36))
                .allSatisfy(r -> assertThat(r.get("status").asText()).isIn("pending", "accepted"));
        assertThat(results.subList(36, 40))
                .allSatisfy(r -> assertThat(r.get("status").asText()).isEqualTo("pending"));
        assertThat(results.get(40).get("status").asText()).isEqualTo("rejected");
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(
                        () -> assertThat(running.get("/v1/commands/async-39").statusCode())
                                .isEqualTo(200));
        for (int i = 0; i < 40; i++) {
            JsonNode decision =
                    JSON.readTree(running.get("/v1/commands/async-" + i).body());
            assertThat(decision.get("status").asText()).as("async-" + i).isEqualTo("accepted");
        }
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() ->
                        assertThat(running.committedCount(Topics.EVENTS_ALL)).isEqualTo(before + 40));
    }

    @Test
    void answersEachOfTwoLinesThatReuseOneIdWithItsOwnDecision() {
        // given: per pair of lines one id, once the same aggregate with another activity (one partition, decided in
        // order), once another aggregate (likely another partition, whose decision may come back first)
        String body = String.join(
                "\n",
                activity("reuse-1", "reuse-a", "A_SUBMITTED").toString(),
                activity("reuse-1", "reuse-a", "A_PARTLYSUBMITTED").toString(),
                activity("reuse-2", "reuse-b", "A_SUBMITTED").toString(),
                activity("reuse-2", "reuse-c", "A_SUBMITTED").toString());

        // when
        HttpResponse<String> response = running.post("/v1/commands:batch", NDJSON, body + "\n");

        // then
        assertThat(response.statusCode()).isEqualTo(200);
        List<JsonNode> results = lines(response);
        assertThat(results.get(0).get("status").asText()).isEqualTo("accepted");
        assertThat(results.get(1).get("status").asText()).isEqualTo("rejected");
        assertThat(results.get(1).get("problem").get("type").asText())
                .isEqualTo("urn:polyglot:problem:command-id-reused");
        assertOneLineAnsweredWithTheEventOfItsOwnAggregate(
                results.subList(2, 4), List.of("reuse-b", "reuse-c"), eventsOfCommand("reuse-2"));
        assertThat(eventsOfCommand("reuse-1"))
                .singleElement()
                .satisfies(event -> assertThat(event.getEventId())
                        .isEqualTo(results.get(0)
                                .get("events")
                                .get(0)
                                .get("eventId")
                                .asText()));
    }

    @Test
    void answersEachOfTwoConcurrentRequestsThatReuseOneIdWithItsOwnDecision() throws Exception {
        // given: ten pairs of single commands, the two of a pair with one id for two aggregates, sent at once
        int pairs = 10;
        ExecutorService senders = Executors.newFixedThreadPool(2 * pairs);
        try {
            List<List<CompletableFuture<HttpResponse<String>>>> sent = new ArrayList<>();
            for (int pair = 0; pair < pairs; pair++) {
                List<CompletableFuture<HttpResponse<String>>> both = new ArrayList<>();
                for (String side : List.of("x", "y")) {
                    String command = recordActivity("twice-" + pair, "twice-" + pair + "-" + side)
                            .toString();
                    both.add(CompletableFuture.supplyAsync(() -> running.postJson(command), senders));
                }
                sent.add(both);
            }

            // then: one of each pair accepted with the event of its own aggregate, the other refused
            for (int pair = 0; pair < pairs; pair++) {
                List<JsonNode> answers = new ArrayList<>();
                for (CompletableFuture<HttpResponse<String>> answer : sent.get(pair)) {
                    HttpResponse<String> response = answer.get(1, TimeUnit.MINUTES);
                    assertThat(response.statusCode()).as(response.body()).isIn(200, 409);
                    answers.add(RunningCommandService.json(response));
                }
                assertOneLineAnsweredWithTheEventOfItsOwnAggregate(
                        answers,
                        List.of("twice-" + pair + "-x", "twice-" + pair + "-y"),
                        eventsOfCommand("twice-" + pair));
            }
        } finally {
            senders.shutdownNow();
        }
    }

    /**
     * Of two answers to commands of one id for {@code aggregates}, one is accepted with the one event of
     * {@code events}, which belongs to its aggregate; the other is refused as a reused command id.
     */
    private static void assertOneLineAnsweredWithTheEventOfItsOwnAggregate(
            List<JsonNode> answers, List<String> aggregates, List<EventEnvelope> events) {
        assertThat(events).hasSize(1);
        EventEnvelope recorded = events.get(0);
        int winner = aggregates.indexOf(recorded.getAggregateId());
        assertThat(winner).as("aggregate of %s", recorded).isNotNegative();
        JsonNode accepted = answers.get(winner);
        JsonNode refused = answers.get(1 - winner);
        assertThat(accepted.get("status").asText()).as("%s", accepted).isEqualTo("accepted");
        assertThat(accepted.get("events").get(0).get("eventId").asText()).isEqualTo(recorded.getEventId());
        assertThat(refused.has("events")).as("%s", refused).isFalse();
        // A batch line carries its problem; a single command's answer is the problem itself.
        boolean line = refused.has("problem");
        JsonNode problem = line ? refused.get("problem") : refused;
        assertThat(refused.get("status").asText()).as("%s", refused).isEqualTo(line ? "rejected" : "409");
        assertThat(problem.get("type").asText()).isEqualTo("urn:polyglot:problem:command-id-reused");
    }

    @Test
    void refusesABatchOfTooManyLinesWholeAndProducesNothing() {
        // given
        String body = IntStream.range(0, 601)
                .mapToObj(i -> activity("too-many-" + i, "c", "A").toString())
                .collect(Collectors.joining("\n"));
        long before = running.committedCount(Topics.EVENTS_ALL);

        // when
        HttpResponse<String> response = running.post("/v1/commands:batch", NDJSON, body);

        // then
        assertProblem(response, 413, "payload-too-large");
        assertThat(running.committedCount(Topics.EVENTS_ALL)).isEqualTo(before);
    }

    @Test
    void refusesABatchThatIsNotNdjson() {
        // when
        HttpResponse<String> response = running.post(
                "/v1/commands:batch",
                "application/json",
                activity("json-1", "c", "A").toString());

        // then
        assertProblem(response, 415, "unsupported-media-type");
    }

    private static ObjectNode activity(String commandId, String aggregateId, String activity) {
        ObjectNode command = recordActivity(commandId, aggregateId);
        ((ObjectNode) command.get("payload")).put("activity", activity);
        return command;
    }

    private static int step(EventEnvelope event) {
        ActivityRecorded payload = (ActivityRecorded) EventCodec.standard().decodePayload(event.getPayload());
        return Integer.parseInt(payload.getActivity().substring("step-".length()));
    }

    /** The events of the command {@code commandId}. */
    private static List<EventEnvelope> eventsOfCommand(String commandId) {
        return eventsOfCommands(commandId).stream()
                .filter(e -> e.getCommandId().equals(commandId))
                .toList();
    }

    /** The events whose command id starts with {@code prefix}, in topic order within each partition. */
    private static List<EventEnvelope> eventsOfCommands(String prefix) {
        long total = running.committedCount(Topics.EVENTS_ALL);
        return running.records(Topics.EVENTS_ALL, (int) total).stream()
                .map(r -> EventCodec.standard().decode(r.value()))
                .filter(e -> e.getCommandId().startsWith(prefix))
                .toList();
    }

    private static List<JsonNode> lines(HttpResponse<String> response) {
        List<JsonNode> results = new ArrayList<>();
        for (String line : response.body().split("\n")) {
            try {
                results.add(JSON.readTree(line));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return results;
    }
}
