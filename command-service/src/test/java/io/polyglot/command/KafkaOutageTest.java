package io.polyglot.command;

import static io.polyglot.command.RunningCommandService.json;
import static io.polyglot.command.SingleCommandTest.assertProblem;
import static io.polyglot.command.intake.ValidCommands.recordActivity;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The service keeps answering, quickly and honestly, after its broker has stopped. */
class KafkaOutageTest {

    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(3);
    private static final Duration MARGIN = Duration.ofSeconds(3);

    @TempDir
    static Path dataDir;

    static RunningCommandService running;

    @BeforeAll
    static void startThenStopTheBroker() {
        running = RunningCommandService.start(
                dataDir,
                Map.of("REQUEST_TIMEOUT", REQUEST_TIMEOUT.toSeconds() + "s", "HEALTH_PROBE_INTERVAL", "500ms"));
        HttpResponse<String> beforeOutage =
                running.postJson(recordActivity("outage-0", "o-0").toString());
        assertThat(beforeOutage.statusCode()).isEqualTo(200);
        running.broker.close();
    }

    @AfterAll
    static void stop() {
        running.close();
    }

    @Test
    void answersKafkaUnavailableWithRetryAfterWithinTheRequestTimeout() {
        // given
        long started = System.nanoTime();

        // when
        HttpResponse<String> response =
                running.postJson(recordActivity("outage-1", "o-1").toString());

        // then
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        assertProblem(response, 503, "kafka-unavailable");
        assertThat(response.headers().firstValue("Retry-After")).hasValue("5");
        assertThat(took).isLessThan(REQUEST_TIMEOUT.plus(MARGIN));
    }

    @Test
    void rejectsEveryGoodLineOfABatchWithinTheRequestTimeout() throws Exception {
        // given
        String body = recordActivity("outage-b1", "o-b").toString() + "\n"
                + recordActivity("outage-b2", "o-b").toString() + "\n";
        long started = System.nanoTime();

        // when
        HttpResponse<String> response = running.post("/v1/commands:batch", "application/x-ndjson", body);

        // then
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        assertThat(response.statusCode()).isEqualTo(200);
        String[] lines = response.body().split("\n");
        assertThat(lines).hasSize(2);
        for (String line : lines) {
            JsonNode result = RunningCommandService.JSON.readTree(line);
            assertThat(result.get("status").asText()).isEqualTo("rejected");
            assertThat(result.get("problem").get("type").asText()).isEqualTo("urn:polyglot:problem:kafka-unavailable");
        }
        assertThat(took).isLessThan(REQUEST_TIMEOUT.plus(MARGIN));
    }

    @Test
    void turnsNotReadyOnceKafkaIsUnreachable() {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            // when
            HttpResponse<String> ready = running.get("/health/ready");

            // then
            assertThat(ready.statusCode()).isEqualTo(503);
            assertThat(json(ready).get("status").asText()).isEqualTo("not ready");
        });
    }

    @Test
    void countsCommandsKafkaDidNotTakeAsFailed() {
        // given
        running.postJson(recordActivity("outage-m", "o-m").toString());

        // when
        HttpResponse<String> metrics = running.get("/metrics");

        // then
        assertThat(metrics.body())
                .containsPattern(
                        "polyglot_commands_total\\{[^}]*status=\"failed\"[^}]*type=\"RecordActivity\"[^}]*} [1-9]");
    }
}
