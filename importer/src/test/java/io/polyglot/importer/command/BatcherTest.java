package io.polyglot.importer.command;

import static org.assertj.core.api.Assertions.assertThat;

import io.polyglot.importer.log.CaseEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BatcherTest {

    private static PendingCommand command(String caseId, int position) {
        CaseEvent event = new CaseEvent(caseId, position, "a", null, null, "2020-01-01T00:00:00Z", Map.of(), position);
        return new PendingCommand(event, CommandIds.of("T", caseId, position), new byte[10]);
    }

    private static List<String> labels(Batch batch) {
        return batch.commands().stream()
                .map(command -> command.caseId() + command.event().position())
                .toList();
    }

    private static List<Batch> cut(Batcher batcher, List<PendingCommand> commands) {
        List<Batch> batches = new ArrayList<>();
        commands.forEach(command -> batcher.add(command).ifPresent(batches::add));
        batcher.flush().ifPresent(batches::add);
        return batches;
    }

    @Test
    void movesTheTrailingCaseOfAFullBatchToTheNext() {
        // given cases a (2 events), b (3 events), c (1 event) and batches of 4: no batch splits a case
        List<PendingCommand> commands = List.of(
                command("a", 1), command("a", 2), command("b", 1), command("b", 2), command("b", 3), command("c", 1));

        // when
        List<Batch> batches = cut(new Batcher(4, Long.MAX_VALUE), commands);

        // then
        assertThat(batches)
                .extracting(BatcherTest::labels)
                .containsExactly(List.of("a1", "a2"), List.of("b1", "b2", "b3"), List.of("c1"));
    }

    @Test
    void splitsACaseLargerThanABatchInOrder() {
        // given one case of 5 events and batches of 2
        List<PendingCommand> commands =
                List.of(command("a", 1), command("a", 2), command("a", 3), command("a", 4), command("a", 5));

        // when
        List<Batch> batches = cut(new Batcher(2, Long.MAX_VALUE), commands);

        // then
        assertThat(batches)
                .extracting(BatcherTest::labels)
                .containsExactly(List.of("a1", "a2"), List.of("a3", "a4"), List.of("a5"));
    }

    @Test
    void cutsByBytesBeforeTheLineLimit() {
        // given commands of 11 bytes each (10 and a line break) and a 30-byte budget
        List<PendingCommand> commands = List.of(command("a", 1), command("b", 1), command("c", 1), command("d", 1));

        // when
        List<Batch> batches = cut(new Batcher(1000, 30), commands);

        // then
        assertThat(batches).extracting(Batch::size).containsExactly(2, 2);
    }

    @Test
    void keepsEveryCommandExactlyOnceInItsOrder() {
        // given interleaved cases
        List<PendingCommand> commands = new ArrayList<>();
        for (int i = 1; i <= 50; i++) {
            commands.add(command(i % 3 == 0 ? "x" : "y" + (i % 5), i));
        }

        // when
        List<Batch> batches = cut(new Batcher(7, Long.MAX_VALUE), commands);

        // then
        assertThat(batches.stream().flatMap(batch -> batch.commands().stream()).toList())
                .containsExactlyElementsOf(commands);
        assertThat(batches).allSatisfy(batch -> assertThat(batch.size()).isBetween(1, 7));
    }
}
