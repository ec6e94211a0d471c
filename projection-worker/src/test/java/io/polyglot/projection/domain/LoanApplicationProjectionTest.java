package io.polyglot.projection.domain;

import static io.polyglot.projection.domain.Events.NINE;
import static io.polyglot.projection.domain.Events.loan;
import static io.polyglot.projection.domain.Events.minutes;
import static io.polyglot.projection.domain.Events.ticket;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LoanApplicationProjectionTest {

    private final LoanApplicationProjection projection = new LoanApplicationProjection();

    @Test
    void takesTheStatusFromTheLaterOfTwoEventsWithTheSameTimestamp() {
        // given two application-state events at the very same time
        List<ProjectedEvent> events = List.of(
                loan(0, 10, "Application_1", "A_SUBMITTED", NINE),
                loan(0, 11, "Application_1", "A_PARTLYSUBMITTED", NINE));

        // when
        List<LoanApplicationChange> changes = projection.fold(events);

        // then
        assertThat(changes)
                .singleElement()
                .extracting(LoanApplicationChange::status)
                .isEqualTo("A_PARTLYSUBMITTED");
    }

    @Test
    void takesTheStatusByPositionEvenWhenALaterEventHasAnEarlierTimestamp() {
        List<ProjectedEvent> events = List.of(
                loan(0, 10, "Application_1", "A_PREACCEPTED", minutes(5)),
                loan(0, 11, "Application_1", "A_ACCEPTED", minutes(1)));

        List<LoanApplicationChange> changes = projection.fold(events);

        assertThat(changes).singleElement().satisfies(change -> {
            assertThat(change.status()).isEqualTo("A_ACCEPTED");
            assertThat(change.lastEventAt()).isEqualTo(minutes(5));
        });
    }

    @Test
    void leavesTheStatusToApplicationStateActivitiesOnly() {
        // given a state event followed by work-item and offer events
        List<ProjectedEvent> events = List.of(
                loan(0, 10, "Application_1", "A_SUBMITTED", minutes(0)),
                loan(0, 11, "Application_1", "W_Completeren aanvraag", minutes(1)),
                loan(0, 12, "Application_1", "O_SELECTED", minutes(2)));

        List<LoanApplicationChange> changes = projection.fold(events);

        assertThat(changes)
                .singleElement()
                .extracting(LoanApplicationChange::status)
                .isEqualTo("A_SUBMITTED");
    }

    @Test
    void saysNothingOfTheStatusWhenTheBatchHasNoApplicationStateEvent() {
        List<ProjectedEvent> events = List.of(loan(0, 12, "Application_1", "W_Afhandelen leads", minutes(2)));

        List<LoanApplicationChange> changes = projection.fold(events);

        assertThat(changes)
                .singleElement()
                .extracting(LoanApplicationChange::status)
                .isNull();
    }

    @Test
    void takesTheRequestedAmountFromTheFirstEventThatCarriesIt() {
        List<ProjectedEvent> events = List.of(
                loan(0, 10, "Application_1", "A_SUBMITTED", "COMPLETE", minutes(0), Map.of("AMOUNT_REQ", "20000")),
                loan(0, 11, "Application_1", "A_PARTLYSUBMITTED", "COMPLETE", minutes(1), Map.of("AMOUNT_REQ", "5")));

        List<LoanApplicationChange> changes = projection.fold(events);

        assertThat(changes)
                .singleElement()
                .satisfies(change -> assertThat(change.amountRequested()).isEqualByComparingTo("20000"));
    }

    @Test
    void leavesTheAmountEmptyWhenTheAttributeIsNotANumber() {
        List<ProjectedEvent> events = List.of(
                loan(0, 10, "Application_1", "A_SUBMITTED", "COMPLETE", minutes(0), Map.of("AMOUNT_REQ", "a lot")));

        List<LoanApplicationChange> changes = projection.fold(events);

        assertThat(changes)
                .singleElement()
                .extracting(LoanApplicationChange::amountRequested)
                .isNull();
    }

    @Test
    void takesSubmittedAtFromTheSubmittedEventAndCountsEveryEvent() {
        List<ProjectedEvent> events = List.of(
                loan(0, 10, "Application_1", "A_SUBMITTED", minutes(3)),
                loan(0, 11, "Application_1", "A_PARTLYSUBMITTED", minutes(4)),
                loan(0, 12, "Application_1", "W_Beoordelen fraude", minutes(9)));

        List<LoanApplicationChange> changes = projection.fold(events);

        assertThat(changes).singleElement().satisfies(change -> {
            assertThat(change.submittedAt()).isEqualTo(minutes(3));
            assertThat(change.lastEventAt()).isEqualTo(minutes(9));
            assertThat(change.eventCount()).isEqualTo(3);
            assertThat(change.partition()).isZero();
            assertThat(change.lastOffset()).isEqualTo(12);
        });
    }

    @Test
    void foldsOnlyLoanApplicationsOneChangePerApplicationInIdOrder() {
        List<ProjectedEvent> events = List.of(
                loan(1, 10, "Application_2", "A_SUBMITTED", minutes(0)),
                ticket(1, 11, "Case 7", "Assign seriousness", minutes(0)),
                loan(0, 4, "Application_1", "A_SUBMITTED", minutes(0)),
                loan(1, 12, "Application_2", "A_DECLINED", minutes(1)));

        List<LoanApplicationChange> changes = projection.fold(events);

        assertThat(changes)
                .extracting(LoanApplicationChange::applicationId, LoanApplicationChange::eventCount)
                .containsExactly(tuple("Application_1", 1L), tuple("Application_2", 2L));
    }

    @Test
    void takesNoAmountThatPostgresqlsNumericOrASumOfItCannotHold() {
        assertThat(LoanApplicationProjection.amount("20000")).isEqualByComparingTo("20000");
        assertThat(LoanApplicationProjection.amount("1E+3")).isEqualByComparingTo("1000");
        assertThat(LoanApplicationProjection.amount(" 12.50 ")).isEqualByComparingTo("12.5");
        // at most 1,000 digits before the point, so that sums of amounts stay far within numeric's 131,072
        assertThat(LoanApplicationProjection.amount("1E+999")).isNotNull();
        assertThat(LoanApplicationProjection.amount("1E+1000")).isNull();
        assertThat(LoanApplicationProjection.amount("1E+131071")).isNull();
        assertThat(LoanApplicationProjection.amount("1E-16383")).isNotNull();
        assertThat(LoanApplicationProjection.amount("1E-16384")).isNull();
        assertThat(LoanApplicationProjection.amount("twenty")).isNull();
        assertThat(LoanApplicationProjection.amount("")).isNull();
    }
}
