package io.polyglot.command.intake;

import static org.assertj.core.api.Assertions.assertThat;

import io.polyglot.command.avro.CommandDecision;
import io.polyglot.command.avro.DecidedEvent;
import io.polyglot.command.avro.Outcome;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Which decision answers a request: that of its own command record, whether it is published before or after Kafka's
 * acknowledgement tells the request where the record is, and never that of another record of the same command.
 */
class DecisionWaiterTest {

    private static final CommandPosition FIRST_RECORD = new CommandPosition(2, 40);
    private static final CommandPosition OWN_RECORD = new CommandPosition(2, 41);
    private static final CommandPosition LATER_RECORD = new CommandPosition(2, 42);

    private final DecisionWaiter waiter = new DecisionWaiter("c-1", "hash-1");
    private final CommandDecision first = decision(false);
    private final CommandDecision replayed = decision(true);

    @Test
    void takesTheDecisionOfItsOwnRecordPublishedAfterTheAcknowledgement() {
        // given
        assertThat(waiter.appendedAt(OWN_RECORD)).isFalse();

        // when
        boolean taken = offer(replayed, OWN_RECORD);

        // then
        assertThat(taken).isTrue();
        assertAnsweredWith(waiter, replayed);
    }

    @Test
    void takesTheDecisionOfItsOwnRecordPublishedBeforeTheAcknowledgementOnceItArrives() {
        // given
        assertThat(offer(replayed, OWN_RECORD)).isFalse();
        assertThat(waiter.decision()).isNotDone();

        // when
        boolean answered = waiter.appendedAt(OWN_RECORD);

        // then
        assertThat(answered).isTrue();
        assertAnsweredWith(waiter, replayed);
    }

    @Test
    void ignoresTheDecisionOfAnEarlierRecordOfTheSameCommandPublishedBeforeTheAcknowledgement() {
        // given: the first request's decision comes while this retry's record is being stored
        offer(first, FIRST_RECORD);

        // when
        boolean answered = waiter.appendedAt(OWN_RECORD);

        // then
        assertThat(answered).isFalse();
        assertThat(waiter.decision()).isNotDone();
        assertThat(offer(replayed, OWN_RECORD)).isTrue();
        assertAnsweredWith(waiter, replayed);
    }

    @Test
    void ignoresTheDecisionsOfOtherRecordsPublishedAfterTheAcknowledgement() {
        // given
        waiter.appendedAt(OWN_RECORD);

        // when
        boolean earlier = offer(first, FIRST_RECORD);
        boolean later = offer(decision(true), LATER_RECORD);

        // then
        assertThat(earlier).isFalse();
        assertThat(later).isFalse();
        assertThat(waiter.decision()).isNotDone();
    }

    @Test
    void picksItsOwnAmongSeveralDecisionsPublishedBeforeTheAcknowledgement() {
        // given
        offer(first, FIRST_RECORD);
        CommandDecision another = decision(true);
        offer(another, LATER_RECORD);
        offer(replayed, OWN_RECORD);

        // when
        boolean answered = waiter.appendedAt(OWN_RECORD);

        // then
        assertThat(answered).isTrue();
        assertAnsweredWith(waiter, replayed);
    }

    @Test
    void takesADecisionThatNamesNoRecordBeforeTheAcknowledgementAsADeciderOfAnEarlierVersionAnswered() {
        // when
        boolean taken = offer(first, null);

        // then
        assertThat(taken).isTrue();
        assertAnsweredWith(waiter, first);
        assertThat(waiter.appendedAt(OWN_RECORD)).as("answered already").isTrue();
    }

    @Test
    void takesADecisionThatNamesNoRecordAfterTheAcknowledgement() {
        // given
        waiter.appendedAt(OWN_RECORD);

        // when
        boolean taken = offer(first, null);

        // then
        assertThat(taken).isTrue();
        assertAnsweredWith(waiter, first);
    }

    @Test
    void keepsTheFirstDecisionItTookWhenAnotherIsOfferedLater() {
        // given
        waiter.appendedAt(OWN_RECORD);
        offer(replayed, OWN_RECORD);

        // when
        boolean again = offer(first, null);

        // then: it is done; the caller drops it
        assertThat(again).isTrue();
        assertAnsweredWith(waiter, replayed);
    }

    @Test
    void answersTwoWaitersOfTheSameCommandEachWithTheDecisionOfItsOwnRecord() {
        // given: two requests with the same body, both waiting before either record is decided
        DecisionWaiter retry = new DecisionWaiter("c-1", "hash-1");
        List<DecisionWaiter> both = List.of(waiter, retry);
        waiter.appendedAt(FIRST_RECORD);

        // when: the first record's decision, the retry's acknowledgement, then the retry's replayed decision
        both.forEach(each -> offerTo(each, first, FIRST_RECORD));
        retry.appendedAt(OWN_RECORD);
        both.forEach(each -> offerTo(each, replayed, OWN_RECORD));

        // then
        assertAnsweredWith(waiter, first);
        assertAnsweredWith(retry, replayed);
    }

    /** The waiter's future holds that very decision: two replayed decisions of one command are equal in value. */
    private static void assertAnsweredWith(DecisionWaiter answered, CommandDecision expected) {
        assertThat(answered.decision()).isCompleted();
        assertThat(answered.decision().join()).isSameAs(expected);
    }

    /** Offers {@code decision} as the feed does: taken under the waiter's guard, answered after. */
    private boolean offer(CommandDecision decision, CommandPosition answers) {
        return offerTo(waiter, decision, answers);
    }

    private static boolean offerTo(DecisionWaiter to, CommandDecision decision, CommandPosition answers) {
        boolean taken = to.takes(decision, answers);
        if (taken) {
            to.answer();
        }
        return taken;
    }

    private static CommandDecision decision(boolean replayed) {
        return CommandDecision.newBuilder()
                .setCommandId("c-1")
                .setAggregateType("LoanApplication")
                .setAggregateId("case-1")
                .setBodyHash("hash-1")
                .setOutcome(Outcome.ACCEPTED)
                .setEvents(List.of(new DecidedEvent("7d1a3c52-3a0e-4c7b-9a55-0b0f1f2a9b11", 1L)))
                .setDecidedAt(Instant.parse("2026-12-06T12:00:00Z"))
                .setReplayed(replayed)
                .build();
    }
}
