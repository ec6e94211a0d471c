package io.polyglot.command;

import static io.polyglot.command.RunningCommandService.json;
import static io.polyglot.command.intake.ValidCommands.recordActivity;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.polyglot.command.decider.DeciderRecords;
import io.polyglot.schemas.Topics;
import io.polyglot.schemas.avro.EventEnvelope;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A command's status and its aggregate's head, read while the decider's transaction that decided the command has not
 * committed: the decider commits every 3 s here, so reads land in that window, and requests do not wait. The decision
 * is looked for on {@code commands.decisions}, the partition whose commit the service itself waits for.
 */
class StatusBeforeCommitTest {

    private static final String AGGREGATE = "/v1/aggregates/LoanApplication/case-before-commit";

    @TempDir
    static Path dataDir;

    static RunningCommandService running;

    @BeforeAll
    static void start() {
        running = RunningCommandService.start(dataDir, Map.of("DECISION_WAIT", "1ms", "DECIDER_COMMIT_INTERVAL", "3s"));
    }

    @AfterAll
    static void stop() {
        running.close();
    }

    @Test
    void answersPendingAndTheCommittedHeadUntilTheDecisionCommitsThenTheDecisionAndItsHead() {
        // given: the aggregate at version 1, committed
        running.postJson(recordActivity("before-commit-1", "case-before-commit").toString());
        await().atMost(Duration.ofSeconds(30))
                .until(() -> running.get("/v1/commands/before-commit-1").statusCode() == 200);

        // when: a second command of it, decided within milliseconds and committed up to 3 s later
        ObjectNode second = recordActivity("before-commit-2", "case-before-commit");
        ((ObjectNode) second.get("payload")).put("activity", "A_PARTLYSUBMITTED");
        HttpResponse<String> posted = running.postJson(second.toString());

        // then: each read answers what a read-committed consumer can see; pending and version 1 are seen first
        assertThat(posted.statusCode()).isEqualTo(202);
        int pendingReads = 0;
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            HttpResponse<String> status = running.get("/v1/commands/before-commit-2");
            HttpResponse<String> head = running.get(AGGREGATE);
            boolean committed = decisionOf("before-commit-2");
            assertThat(status.statusCode()).isIn(200, 202);
            if (status.statusCode() == 200) {
                assertThat(json(status).get("status").asText()).isEqualTo("accepted");
                assertThat(committed)
                        .as("the status read answered a decision no read-committed consumer sees")
                        .isTrue();
                break;
            }
            pendingReads++;
            assertThat(json(status).get("status").asText()).isEqualTo("pending");
            long version = json(head).get("version").asLong();
            if (version == 2) {
                assertThat(committed)
                        .as("the head read answered version 2 before the decision that made it was committed")
                        .isTrue();
            } else {
                assertThat(version).isEqualTo(1);
            }
            assertThat(System.nanoTime() - deadline).as("decided within 30 s").isNegative();
        }
        assertThat(pendingReads).as("reads inside the window before the commit").isPositive();
        assertThat(json(running.get(AGGREGATE)).get("version").asLong()).isEqualTo(2);
        // The transaction's markers reach each partition in turn, so the event follows within moments.
        await().atMost(Duration.ofSeconds(10))
                .until(() -> running.events().stream()
                        .map(EventEnvelope::getCommandId)
                        .anyMatch("before-commit-2"::equals));
    }

    /** Whether a read-committed consumer finds the decision of {@code commandId} on {@code commands.decisions}. */
    private static boolean decisionOf(String commandId) {
        long committed = running.committedCount(Topics.COMMANDS_DECISIONS);
        return running.records(Topics.COMMANDS_DECISIONS, (int) committed).stream()
                .map(record -> DeciderRecords.decision(record.value()).getCommandId())
                .anyMatch(commandId::equals);
    }
}
