package io.polyglot.command;

import static io.polyglot.command.RunningCommandService.JSON;
import static io.polyglot.command.RunningCommandService.json;
import static io.polyglot.command.intake.ValidCommands.recordActivity;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.polyglot.schemas.avro.EventEnvelope;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Retries sent while the first request of the same command is still undecided, against the running service and a
 * real broker: each request is answered by the decision of its own command record, so exactly one answer is the
 * first decision and every other is that decision marked {@code "replayed": true}, and the command is recorded once.
 *
 * <p>The decider commits every 2 seconds here, so the records of requests sent together are decided in one
 * transaction and their decisions become visible together, after every one of those requests waits for its own: the
 * moment when a request that took the first decision published for its command answered a retry with the first
 * request's decision, unmarked. Each case runs several rounds, so that a commit falling between two requests of one
 * round cannot hide that.
 */
class ConcurrentRetryTest {

    private static final String NDJSON = "application/x-ndjson";
    private static final int ROUNDS = 4;

    @TempDir
    static Path dataDir;

    static RunningCommandService running;

    private final HttpClient client =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll
    static void start() {
        running = RunningCommandService.start(dataDir, Map.of("DECIDER_COMMIT_INTERVAL", "2s", "DECISION_WAIT", "60s"));
    }

    @AfterAll
    static void stop() {
        running.close();
    }

    @Test
    void answersOneOfThreeConcurrentRequestsOfTheSameCommandWithTheFirstDecisionAndTheOthersAsReplayed() {
        inRounds("concurrent", command -> {
            // given: one command, twice as written and once with its keys in another order
            String[] bodies = {command.toString(), command.toString(), reordered(command)};

            // when
            List<JsonNode> answers = postTogether("/v1/commands", "application/json", bodies).stream()
                    .map(RunningCommandService::json)
                    .toList();

            // then
            assertOneFirstDecisionAndTheOthersReplayed(answers);
            return List.of(aggregateOf(command));
        });
    }

    @Test
    void answersTheSameLineOfThreeConcurrentBatchesOnceWithTheFirstDecisionAndTheOthersAsReplayed() {
        inRounds("concurrent-line", command -> {
            // given: a batch of the command and a command of another aggregate, sent three times, the command's keys
            // reordered in the third
            ObjectNode other =
                    recordActivity("other-" + command.get("commandId").asText(), "other-" + aggregateOf(command));
            String[] batches = {command + "\n" + other, command + "\n" + other, reordered(command) + "\n" + other};

            // when
            List<HttpResponse<String>> answers = postTogether("/v1/commands:batch", NDJSON, batches);

            // then
            assertOneFirstDecisionAndTheOthersReplayed(lineOfEach(answers, 0));
            assertOneFirstDecisionAndTheOthersReplayed(lineOfEach(answers, 1));
            return List.of(aggregateOf(command), aggregateOf(other));
        });
    }

    @Test
    void answersTheSameCommandOnThreeLinesOfOneBatchFirstWithTheFirstDecisionThenAsReplayed() {
        inRounds("repeated-line", command -> {
            // given: the lines of one aggregate are sent in order, each once the one before is stored
            String body = command + "\n" + command + "\n" + reordered(command);

            // when
            HttpResponse<String> answer = running.post("/v1/commands:batch", NDJSON, body);

            // then
            assertThat(answer.statusCode()).isEqualTo(200);
            List<JsonNode> lines =
                    answer.body().lines().map(RunningCommandService::json).toList();
            assertThat(lines).extracting(line -> line.get("line").asInt()).containsExactly(1, 2, 3);
            assertThat(lines.get(0).has("replayed")).as("the first line stored").isFalse();
            assertOneFirstDecisionAndTheOthersReplayed(withoutLineNumbers(lines));
            return List.of(aggregateOf(command));
        });
    }

    /**
     * Runs {@code round} for {@value #ROUNDS} new commands, each for an aggregate of its own, then checks that every
     * aggregate a round names has exactly one event on {@code events.all}: its command was recorded once.
     */
    private static void inRounds(String name, Function<ObjectNode, List<String>> round) {
        List<String> aggregates = new ArrayList<>();
        for (int i = 0; i < ROUNDS; i++) {
            aggregates.addAll(round.apply(recordActivity(name + "-" + i, "case-" + name + "-" + i)));
        }
        Map<String, Long> eventsByAggregate = running.events().stream()
                .collect(Collectors.groupingBy(EventEnvelope::getAggregateId, Collectors.counting()));
        for (String aggregate : aggregates) {
            assertThat(eventsByAggregate.get(aggregate)).as(aggregate).isEqualTo(1L);
        }
    }

    private static String aggregateOf(ObjectNode command) {
        return command.get("aggregateId").asText();
    }

    /**
     * One answer is the first decision, accepted with its events and not marked; every other is the same answer
     * marked {@code "replayed": true}.
     */
    private static void assertOneFirstDecisionAndTheOthersReplayed(List<JsonNode> answers) {
        Map<Boolean, List<JsonNode>> byReplayed =
                answers.stream().collect(Collectors.partitioningBy(answer -> answer.has("replayed")));
        assertThat(byReplayed.get(false))
                .as("answers not marked replayed: %s", answers)
                .hasSize(1);
        JsonNode first = byReplayed.get(false).get(0);
        assertThat(first.get("status").asText()).as(first.toString()).isEqualTo("accepted");
        assertThat(first.get("events")).hasSize(1);
        JsonNode replayed = ((ObjectNode) first.deepCopy()).put("replayed", true);
        assertThat(byReplayed.get(true)).hasSize(answers.size() - 1).containsOnly(replayed);
    }

    /** Sends every body at once, each on a connection of its own, and returns the answers in the order given. */
    private List<HttpResponse<String>> postTogether(String path, String contentType, String... bodies) {
        List<CompletableFuture<HttpResponse<String>>> sent = new ArrayList<>();
        for (String body : bodies) {
            HttpRequest request = running.authorized(HttpRequest.newBuilder(running.uri(path)))
                    .timeout(Duration.ofSeconds(90))
                    .header("Content-Type", contentType)
                    .POST(HttpRequest.BodyPublishers.ofString(body))
                    .build();
            sent.add(client.sendAsync(request, HttpResponse.BodyHandlers.ofString()));
        }
        List<HttpResponse<String>> answers =
                sent.stream().map(CompletableFuture::join).toList();
        assertThat(answers)
                .allSatisfy(answer ->
                        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200));
        return answers;
    }

    /** The result of line {@code index} (from 0) of each batch's answer, without its line number. */
    private static List<JsonNode> lineOfEach(List<HttpResponse<String>> batches, int index) {
        return withoutLineNumbers(batches.stream()
                .map(batch -> json(batch.body().lines().toList().get(index)))
                .toList());
    }

    private static List<JsonNode> withoutLineNumbers(List<JsonNode> lines) {
        return lines.stream()
                .map(line -> (JsonNode) ((ObjectNode) line.deepCopy()).without("line"))
                .toList();
    }

    /** {@code command} with the members of every object in reverse order: the same command, written differently. */
    private static String reordered(ObjectNode command) {
        return reversed(command).toString();
    }

    private static JsonNode reversed(JsonNode node) {
        if (!node.isObject()) {
            return node;
        }
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        Collections.reverse(names);
        ObjectNode copy = JSON.createObjectNode();
        for (String name : names) {
            copy.set(name, reversed(node.get(name)));
        }
        return copy;
    }
}
