package io.polyglot.command;

import static io.polyglot.command.RunningCommandService.json;
import static io.polyglot.testservers.KafkaProxy.RequestHeader.produceFrom;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.polyglot.command.intake.ValidCommands;
import io.polyglot.schemas.avro.EventEnvelope;
import io.polyglot.testservers.KafkaProxy;
import io.polyglot.testservers.KafkaProxy.RequestHeader;
import io.polyglot.testservers.ProxiedKafka;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Predicate;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Commands for one aggregate keep their order and are decided once when the service's connections to Kafka are cut
 * while they are in flight. Every connection of the service, bootstrap and after, goes through a {@link KafkaProxy}
 * in front of a real broker that advertises the proxy's port.
 */
class ConnectionCutTest {

    private static final Logger log = LoggerFactory.getLogger(ConnectionCutTest.class);
    private static final Duration WAIT = Duration.ofSeconds(60);
    /** The service's own producer, which appends commands ({@code client.id} set by the service). */
    private static final Predicate<RequestHeader> COMMAND_PRODUCES = produceFrom("command-service"::equals);
    /** The decider's transactional producer, which writes events and decisions (named by Kafka Streams). */
    private static final Predicate<RequestHeader> DECIDER_PRODUCES =
            produceFrom(id -> id.contains("-StreamThread-") && id.endsWith("-producer"));

    @TempDir
    static Path dataDir;

    static ProxiedKafka kafka;
    static RunningCommandService running;
    static final ExecutorService clients = Executors.newFixedThreadPool(3);

    @BeforeAll
    static void start() {
        kafka = ProxiedKafka.start(dataDir.resolve("kafka"));
        // Long waits, so that a retried request answers decided rather than 503 or 202 pending.
        running = RunningCommandService.start(kafka, dataDir, Map.of("REQUEST_TIMEOUT", "30s", "DECISION_WAIT", "30s"));
        assertThat(running.postJson(command("cut-warm", "cut-warm").toString()).statusCode())
                .isEqualTo(200);
    }

    @AfterAll
    static void stop() {
        clients.shutdownNow();
        running.close();
    }

    @Test
    void keepsThreeAsyncCommandsForOneAggregateInOrderAndOnceWhenTheProducersConnectionIsCutWithThemInFlight() {
        // given
        String aggregate = "cut-async-" + UUID.randomUUID();
        List<String> commandIds = commandIds(aggregate);

        // when
        InFlight sent = sendBackToBackThenCut(aggregate, commandIds, true);

        // then
        assertThat(sent.answeredBeforeTheCut()).as("answers before the cut").isZero();
        assertThat(sent.connectionsCut()).as("connections the proxy cut").isGreaterThanOrEqualTo(1);
        assertThat(sent.answers()).extracting(HttpResponse::statusCode).containsOnly(202);
        assertDecidedOnceInOrder(aggregate, commandIds);
    }

    @Test
    void keepsThreeDecidedCommandsForOneAggregateInOrderAndOnceWhenTheDecidersProducerLosesAnAnswerToo() {
        // given
        String aggregate = "cut-decided-" + UUID.randomUUID();
        List<String> commandIds = commandIds(aggregate);
        CompletableFuture<RequestHeader> deciderCut = kafka.proxy().cutAfterAnswer(DECIDER_PRODUCES);

        // when
        InFlight sent = sendBackToBackThenCut(aggregate, commandIds, false);

        // then
        assertThat(sent.answeredBeforeTheCut()).as("answers before the cut").isZero();
        assertThat(sent.connectionsCut()).as("connections the proxy cut").isGreaterThanOrEqualTo(1);
        assertThat(deciderCut)
                .as("the decider's produce answered by the broker, then cut")
                .isCompleted();
        assertThat(sent.answers()).extracting(HttpResponse::statusCode).containsOnly(200);
        assertThat(sent.answers())
                .extracting(answer -> json(answer)
                        .get("events")
                        .get(0)
                        .get("aggregateVersion")
                        .asLong())
                .containsExactly(1L, 2L, 3L);
        assertDecidedOnceInOrder(aggregate, commandIds);
    }

    /** What happened to three commands sent while the proxy held the answers to the service's producer. */
    record InFlight(List<HttpResponse<String>> answers, long answeredBeforeTheCut, int connectionsCut) {}

    /**
     * Holds the broker's answers to the service's producer from the first command's append on, sends each next
     * command once the previous one's append has reached the broker (so the order they were sent in is the order the
     * producer got them), then cuts every connection with all three appends unanswered.
     */
    private static InFlight sendBackToBackThenCut(String aggregate, List<String> commandIds, boolean respondAsync) {
        KafkaProxy proxy = kafka.proxy();
        CompletableFuture<RequestHeader> held = proxy.holdAnswer(COMMAND_PRODUCES);
        List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
        for (String commandId : commandIds) {
            long appendsBefore = proxy.relayed(COMMAND_PRODUCES);
            HttpRequest request = request(command(commandId, aggregate), respondAsync);
            answers.add(CompletableFuture.supplyAsync(() -> running.send(request), clients));
            await().atMost(WAIT).until(() -> held.isDone() && proxy.relayed(COMMAND_PRODUCES) > appendsBefore);
        }
        long answeredBeforeTheCut =
                answers.stream().filter(CompletableFuture::isDone).count();
        long cutAt = System.nanoTime();
        int cut = proxy.cutAll();
        List<HttpResponse<String>> responses =
                answers.stream().map(CompletableFuture::join).toList();
        log.info(
                "Three commands answered {} ms after the proxy cut {} connections (respondAsync={})",
                Duration.ofNanos(System.nanoTime() - cutAt).toMillis(),
                cut,
                respondAsync);
        return new InFlight(responses, answeredBeforeTheCut, cut);
    }

    /** Once all three are decided: their events, read committed, are versions 1, 2, 3 in send order, one each. */
    private static void assertDecidedOnceInOrder(String aggregate, List<String> commandIds) {
        for (String commandId : commandIds) {
            await().atMost(WAIT).untilAsserted(() -> {
                HttpResponse<String> status = running.get("/v1/commands/" + commandId);
                assertThat(status.statusCode()).as("decision of %s", commandId).isEqualTo(200);
                assertThat(json(status).get("status").asText()).isEqualTo("accepted");
            });
        }
        List<EventEnvelope> events = running.events().stream()
                .filter(event -> event.getAggregateId().equals(aggregate))
                .toList();
        assertThat(events)
                .extracting(EventEnvelope::getCommandId, EventEnvelope::getAggregateVersion)
                .containsExactly(
                        tuple(commandIds.get(0), 1L), tuple(commandIds.get(1), 2L), tuple(commandIds.get(2), 3L));
    }

    private static List<String> commandIds(String aggregate) {
        return IntStream.rangeClosed(1, 3).mapToObj(i -> aggregate + "-c" + i).toList();
    }

    /** A command for an {@code Order}: no rules govern it, so every one is accepted and numbered. */
    private static ObjectNode command(String commandId, String aggregateId) {
        ObjectNode command = ValidCommands.recordActivity(commandId, aggregateId);
        command.put("aggregateType", "Order");
        ((ObjectNode) command.get("payload")).put("activity", "OrderPlaced");
        return command;
    }

    private static HttpRequest request(ObjectNode command, boolean respondAsync) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(running.uri("/v1/commands"))
                .timeout(WAIT)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(command.toString()));
        if (respondAsync) {
            builder.header("Prefer", "respond-async");
        }
        return builder.build();
    }
}
