package io.polyglot.projection.domain;

import static io.polyglot.projection.domain.Events.minutes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * How the changes that depend on stored state resolve against it, without a database: a change resolved against the
 * state it produced itself (a replayed batch) writes nothing, and one resolved against an earlier batch's state goes
 * on from it.
 */
class RealLogResolutionTest {

    @Test
    void anOfferChangeResolvedAgainstItsOwnResultWritesNothing() {
        // given
        LoanOfferChange change = new LoanOfferChange(
                "Application_1",
                List.of(
                        new LoanOfferChange.OfferEvent(0, 10, "O_SELECTED", minutes(1)),
                        new LoanOfferChange.OfferEvent(0, 11, "O_CREATED", minutes(2)),
                        new LoanOfferChange.OfferEvent(0, 12, "O_SENT", minutes(3))));
        List<LoanOfferRow> applied = change.resolve(null);

        // when
        List<LoanOfferRow> replayed = change.resolve(applied.get(applied.size() - 1));

        // then
        assertThat(applied)
                .containsExactly(
                        new LoanOfferRow("Application_1", 1, "O_SENT", minutes(2), null, new SourcePosition(0, 12)));
        assertThat(replayed).isEmpty();
    }

    @Test
    void anOfferChangeGoesOnFromTheLatestStoredOffer() {
        // given an application whose second offer was created in an earlier batch
        LoanOfferRow latest =
                new LoanOfferRow("Application_1", 2, "O_SENT", minutes(2), null, new SourcePosition(0, 12));
        LoanOfferChange change = new LoanOfferChange(
                "Application_1",
                List.of(
                        new LoanOfferChange.OfferEvent(0, 20, "O_DECLINED", minutes(5)),
                        new LoanOfferChange.OfferEvent(0, 21, "O_SELECTED", minutes(6)),
                        new LoanOfferChange.OfferEvent(0, 22, "O_CREATED", minutes(7))));

        // when
        List<LoanOfferRow> rows = change.resolve(latest);

        // then
        assertThat(rows)
                .containsExactly(
                        new LoanOfferRow(
                                "Application_1", 2, "O_DECLINED", minutes(2), minutes(5), new SourcePosition(0, 20)),
                        new LoanOfferRow("Application_1", 3, "O_CREATED", minutes(7), null, new SourcePosition(0, 22)));
    }

    @Test
    void aWorkItemChangeCompletesTheStartOfAnEarlierBatchAndTakesItsSchedule() {
        // given a work item started in an earlier batch and scheduled again after that
        LoanWorkItemState stored = new LoanWorkItemState(
                "Application_1",
                "W_Completeren aanvraag",
                new SourcePosition(0, 4),
                minutes(4),
                minutes(6),
                new SourcePosition(0, 6));
        LoanWorkItemChange change = new LoanWorkItemChange(
                "Application_1",
                "W_Completeren aanvraag",
                List.of(
                        new LoanWorkItemChange.Step(0, 8, "COMPLETE", minutes(8)),
                        new LoanWorkItemChange.Step(0, 9, "start", minutes(9))));

        // when
        LoanWorkItemChange.Resolved resolved = change.resolve(stored);
        LoanWorkItemChange.Resolved replayed = change.resolve(resolved.state());

        // then
        assertThat(resolved.rows())
                .extracting(LoanWorkItemRow::start, LoanWorkItemRow::scheduledAt, LoanWorkItemRow::completedAt)
                .containsExactly(
                        tuple(new SourcePosition(0, 4), null, minutes(8)),
                        tuple(new SourcePosition(0, 9), minutes(6), null));
        assertThat(resolved.state().openStart()).isEqualTo(new SourcePosition(0, 9));
        assertThat(replayed.rows()).isEmpty();
        assertThat(replayed.state()).isNull();
    }

    @Test
    void aTicketsFirstEventInABatchIsTheNextOfItsStoredLastEvent() {
        // given
        HelpdeskEventRow storedLast =
                new HelpdeskEventRow("Case 1", new SourcePosition(1, 3), "Insert ticket", minutes(0), null);
        HelpdeskEventsChange change = new HelpdeskEventsChange(
                "Case 1",
                List.of(
                        new HelpdeskEventsChange.TicketEvent(1, 3, "Insert ticket", minutes(0)),
                        new HelpdeskEventsChange.TicketEvent(1, 7, "Closed", minutes(5))));

        // when
        List<HelpdeskEventRow> rows = change.resolve(storedLast);

        // then the event the stored row is already is passed over
        assertThat(rows)
                .containsExactly(
                        new HelpdeskEventRow(
                                "Case 1", new SourcePosition(1, 3), "Insert ticket", minutes(0), minutes(5)),
                        new HelpdeskEventRow("Case 1", new SourcePosition(1, 7), "Closed", minutes(5), null));
        assertThat(change.resolve(rows.get(1))).isEmpty();
    }
}
