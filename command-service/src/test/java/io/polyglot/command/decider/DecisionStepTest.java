package io.polyglot.command.decider;

import static io.polyglot.command.decider.Commands.CODEC;
import static io.polyglot.command.decider.Commands.loan;
import static org.assertj.core.api.Assertions.assertThat;

import io.polyglot.command.avro.CommandDecision;
import io.polyglot.command.avro.CommandRecord;
import io.polyglot.command.avro.Outcome;
import io.polyglot.command.rules.LoanApplicationRules;
import io.polyglot.command.rules.RuleBook;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.MockProcessorContext.CapturedForward;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;

/**
 * Two tasks of one instance deciding the same command id while the global store has not copied its claim yet. The
 * topology test driver cannot show this, because it runs one task and copies every claim at once; mock processor
 * contexts stand in for the two tasks, and an in-memory store for the global store, held back on purpose.
 */
class DecisionStepTest {

    private static final Instant NOW = Instant.parse("2026-01-05T10:00:00Z");

    private final ClaimsInFlight inFlight = new ClaimsInFlight();
    private final KeyValueStore<String, byte[]> notCopiedYet = store(DeciderTopology.IDS_STORE);

    @Test
    void refusesAnIdThatAnotherTaskOfThisInstanceClaimedBeforeTheGlobalStoreCopiesIt() {
        // given
        Task first = new Task();
        Task second = new Task();
        first.decide(loan("c1", "case-1", "A_SUBMITTED"));

        // when
        second.decide(loan("c1", "case-2", "A_SUBMITTED"));

        // then
        assertThat(first.decisions()).extracting(CommandDecision::getOutcome).containsExactly(Outcome.ACCEPTED);
        assertThat(second.decisions())
                .extracting(CommandDecision::getOutcome)
                .containsExactly(Outcome.COMMAND_ID_REUSED);
        assertThat(second.forwarded(DeciderTopology.EVENTS_SINK)).isEmpty();
        assertThat(second.forwarded(DeciderTopology.IDS_SINK)).isEmpty();
    }

    @Test
    void leavesAnIdToTheGlobalStoreOnceItCopiedARecordOfIt() {
        // given
        Task first = new Task();
        Task second = new Task();
        first.decide(loan("c1", "case-1", "A_SUBMITTED"));

        // when
        inFlight.copied("c1");
        second.decide(loan("c1", "case-2", "A_SUBMITTED"));

        // then
        assertThat(second.decisions()).extracting(CommandDecision::getOutcome).containsExactly(Outcome.ACCEPTED);
    }

    private static KeyValueStore<String, byte[]> store(String name) {
        return Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(name), Serdes.String(), Serdes.ByteArray())
                .withLoggingDisabled()
                .build();
    }

    /** One task of the instance: its own heads and decisions, the instance's claims in flight and global store. */
    private final class Task {

        private final MockProcessorContext<String, byte[]> context = new MockProcessorContext<>();
        private final DecisionStep step = new DecisionStep(
                new Decider(RuleBook.of(new LoanApplicationRules()), CODEC),
                CODEC,
                Duration.ofDays(7),
                Duration.ofMinutes(10),
                inFlight,
                new UncommittedChanges());

        Task() {
            for (KeyValueStore<String, byte[]> own :
                    List.of(store(DeciderTopology.HEADS_STORE), store(DeciderTopology.DECISIONS_STORE))) {
                own.init(context.getStateStoreContext(), own);
                context.addStateStore(own);
            }
            notCopiedYet.init(context.getStateStoreContext(), notCopiedYet);
            context.addStateStore(notCopiedYet);
            context.setCurrentSystemTimeMs(NOW.toEpochMilli());
            step.init(context);
        }

        void decide(CommandRecord command) {
            step.process(new Record<>(command.getAggregateId(), Commands.bytes(command), NOW.toEpochMilli()));
        }

        List<CommandDecision> decisions() {
            return forwarded(DeciderTopology.DECISIONS_SINK).stream()
                    .map(record -> DeciderRecords.decision(record.value()))
                    .toList();
        }

        List<Record<String, byte[]>> forwarded(String sink) {
            return context.forwarded(sink).stream()
                    .map(CapturedForward::record)
                    .map(record -> new Record<String, byte[]>(record.key(), record.value(), record.timestamp()))
                    .toList();
        }
    }
}
