package io.polyglot.importer.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.polyglot.importer.command.Batch;
import io.polyglot.importer.command.PendingCommand;
import io.polyglot.importer.delivery.BatchAnswer;
import io.polyglot.importer.delivery.LineResult;
import io.polyglot.importer.delivery.Problem;
import io.polyglot.importer.log.CaseEvent;
import io.polyglot.importer.log.UnusableEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ImportSummaryTest {

    private static PendingCommand command(String caseId, int position, long line) {
        CaseEvent event = new CaseEvent(caseId, position, "a", null, null, "2020-01-01T00:00:00Z", Map.of(), line);
        return new PendingCommand(event, caseId + position, new byte[0]);
    }

    @Test
    void countsRejectionsPerProblemWithAFewExamples() {
        // given 5 events read, one unusable, and answers rejecting four of the rest as invalid
        ImportSummary summary = new ImportSummary();
        summary.read(new UnusableEvent("c0", 1, UnusableEvent.MISSING_TIMESTAMP, "the event has no time:timestamp", 3));
        List<LineResult> results = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            PendingCommand command = command("c" + i, 1, 10L * i);
            summary.read(command.event());
            results.add(
                    i == 1
                            ? new LineResult(command, true, null)
                            : new LineResult(command, false, new Problem("invalid-command", "/aggregateId bad")));
        }

        // when
        summary.answered(new BatchAnswer(
                new Batch(results.stream().map(LineResult::command).toList()), results, 1));
        String text = summary.render(Duration.ofSeconds(3));

        // then
        assertThat(summary.readCount()).isEqualTo(6);
        assertThat(summary.sentCount()).isEqualTo(5);
        assertThat(summary.acceptedCount()).isEqualTo(1);
        assertThat(summary.rejectedCount()).isEqualTo(5);
        assertThat(summary.caseCount()).isEqualTo(6);
        assertThat(summary.rejectionsByProblem())
                .containsExactly(Map.entry("invalid-command", 4L), Map.entry("missing-timestamp", 1L));
        assertThat(text)
                .contains("rejected  5 (1 locally, 4 by the command service)")
                .contains("e.g. line 20, case 'c2' event 1: /aggregateId bad")
                .contains("e.g. line 3, case 'c0' event 1: the event has no time:timestamp (not sent)")
                .doesNotContain("case 'c5'");
    }
}
