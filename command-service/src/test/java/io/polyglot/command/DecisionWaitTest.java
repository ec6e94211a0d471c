package io.polyglot.command;

import static io.polyglot.command.RunningCommandService.json;
import static io.polyglot.command.intake.ValidCommands.recordActivity;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.polyglot.schemas.EventCodec;
import io.polyglot.schemas.Topics;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A decision wait far shorter than the decider's commit interval, so that every wait runs out. */
class DecisionWaitTest {

    @TempDir
    static Path dataDir;

    static RunningCommandService running;

    @BeforeAll
    static void start() {
        running = RunningCommandService.start(
                dataDir, Map.of("DECISION_WAIT", "1ms", "DECIDER_COMMIT_INTERVAL", "500ms"));
    }

    @AfterAll
    static void stop() {
        running.close();
    }

    @Test
    void answersPendingWhenTheWaitRunsOutAndARetryGetsTheOneDecisionWithOneSetOfEvents() {
        // given
        String command = recordActivity("timed-out-1", "case-timed-out").toString();

        // when
        HttpResponse<String> first = running.postJson(command);
        await().atMost(Duration.ofSeconds(20))
                .untilAsserted(
                        () -> assertThat(running.get("/v1/commands/timed-out-1").statusCode())
                                .isEqualTo(200));
        HttpResponse<String> retry = running.postJson(command);

        // then
        assertThat(first.statusCode()).isEqualTo(202);
        assertThat(json(first).get("status").asText()).isEqualTo("pending");
        assertThat(first.headers().firstValue("Location")).hasValue("/v1/commands/timed-out-1");
        assertThat(retry.statusCode()).isIn(200, 202);
        JsonNode decided = json(running.get("/v1/commands/timed-out-1"));
        assertThat(decided.get("status").asText()).isEqualTo("accepted");
        // The status read answers from the decider's store, which holds a decision before its transaction commits;
        // the events are counted once a read-committed consumer can see the command's event.
        await().atMost(Duration.ofSeconds(20))
                .until(() -> running.events().stream()
                        .anyMatch(event -> event.getCommandId().equals("timed-out-1")));
        long total = running.committedCount(Topics.EVENTS_ALL);
        assertThat(running.records(Topics.EVENTS_ALL, (int) total).stream()
                        .map(record -> EventCodec.standard().decode(record.value()))
                        .filter(event -> event.getCommandId().equals("timed-out-1")))
                .singleElement()
                .satisfies(event -> assertThat(event.getEventId())
                        .isEqualTo(decided.get("events").get(0).get("eventId").asText()));
    }
}
