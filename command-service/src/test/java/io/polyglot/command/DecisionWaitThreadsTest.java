package io.polyglot.command;

import static io.polyglot.command.RunningCommandService.json;
import static io.polyglot.command.intake.ValidCommands.recordActivity;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.polyglot.schemas.Topics;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Requests waiting for their decisions hold no request thread: with the fewest threads the service allows and a
 * decider that commits only every 10 minutes, more commands than threads wait out their decision wait while another
 * request is answered at once.
 */
class DecisionWaitThreadsTest {

    private static final int WAITING = 24;
    private static final Map<String, String> SETTINGS = Map.of(
            "HTTP_MAX_THREADS",
            "8",
            "DECIDER_COMMIT_INTERVAL",
            "10m",
            // Kafka Streams wants a transaction to outlive the commit interval.
            "KAFKA_STREAMS_PRODUCER_TRANSACTION_TIMEOUT_MS",
            "660000",
            "DECISION_WAIT",
            "15s");

    @TempDir
    Path dataDir;

    @Test
    void answersOtherRequestsWhileMoreCommandsThanThreadsWaitForTheirDecisions() throws Exception {
        try (RunningCommandService running = RunningCommandService.start(dataDir, SETTINGS)) {
            answerOthersWhileCommandsWait(running);
        }
    }

    private static void answerOthersWhileCommandsWait(RunningCommandService running) throws Exception {
        // given: more commands than request threads, each stored in Kafka and waiting for a commit that does not
        // come within the decision wait
        HttpClient client =
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        long before = running.committedCount(Topics.COMMANDS);
        List<CompletableFuture<HttpResponse<String>>> commands = new ArrayList<>();
        for (int i = 0; i < WAITING; i++) {
            String body = recordActivity("waiting-" + i, "case-waiting-" + i).toString();
            HttpRequest request = running.authorized(HttpRequest.newBuilder(running.uri("/v1/commands")))
                    .timeout(Duration.ofSeconds(90))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body))
                    .build();
            commands.add(client.sendAsync(request, HttpResponse.BodyHandlers.ofString()));
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> running.committedCount(Topics.COMMANDS) >= before + WAITING);

        // when
        long askedAt = System.nanoTime();
        HttpResponse<String> health = running.get("/health/live");
        Duration answeredIn = Duration.ofNanos(System.nanoTime() - askedAt);
        long undecidedThen =
                commands.stream().filter(command -> !command.isDone()).count();

        // then: answered while every command still waited (a wait holding a thread would have queued it behind
        // them for their 15 s); and every command is answered pending once its wait runs out
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(undecidedThen).isEqualTo(WAITING);
        assertThat(answeredIn).isLessThan(Duration.ofSeconds(10));
        for (CompletableFuture<HttpResponse<String>> command : commands) {
            HttpResponse<String> answer = command.get();
            assertThat(answer.statusCode()).as(answer.body()).isEqualTo(202);
            assertThat(json(answer).get("status").asText()).isEqualTo("pending");
        }
    }
}
