package io.polyglot.projection.domain;

import static io.polyglot.projection.domain.Events.NINE;
import static io.polyglot.projection.domain.Events.loan;
import static io.polyglot.projection.domain.Events.ticket;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LoanActivityCountProjectionTest {

    private final LoanActivityCountProjection projection = new LoanActivityCountProjection();

    @Test
    void countsEventsPerPartitionActivityAndLifecycleInKeyOrder() {
        List<ProjectedEvent> events = List.of(
                loan(1, 7, "Application_2", "W_Nabellen offertes", "START", NINE, Map.of()),
                loan(0, 3, "Application_1", "W_Nabellen offertes", "COMPLETE", NINE, Map.of()),
                loan(1, 8, "Application_2", "W_Nabellen offertes", "START", NINE, Map.of()),
                loan(1, 9, "Application_2", "W_Nabellen offertes", "COMPLETE", NINE, Map.of()));

        List<ActivityCountChange> changes = projection.fold(events);

        assertThat(changes)
                .extracting(
                        ActivityCountChange::partition,
                        ActivityCountChange::activity,
                        ActivityCountChange::lifecycle,
                        ActivityCountChange::events,
                        ActivityCountChange::lastOffset)
                .containsExactly(
                        tuple(0, "W_Nabellen offertes", "COMPLETE", 1L, 3L),
                        tuple(1, "W_Nabellen offertes", "COMPLETE", 1L, 9L),
                        tuple(1, "W_Nabellen offertes", "START", 2L, 8L));
    }

    @Test
    void keepsAMissingLifecycleAsItsOwnNullGroup() {
        List<ProjectedEvent> events = List.of(
                loan(0, 1, "Application_1", "A_SUBMITTED", null, NINE, Map.of()),
                loan(0, 2, "Application_1", "A_SUBMITTED", "COMPLETE", NINE, Map.of()),
                loan(0, 3, "Application_3", "A_SUBMITTED", null, NINE, Map.of()));

        List<ActivityCountChange> changes = projection.fold(events);

        assertThat(changes)
                .extracting(ActivityCountChange::lifecycle, ActivityCountChange::events)
                .containsExactly(tuple(null, 2L), tuple("COMPLETE", 1L));
    }

    @Test
    void countsOnlyLoanApplicationEvents() {
        List<ProjectedEvent> events = List.of(ticket(0, 1, "Case 1", "Insert ticket", NINE));

        assertThat(projection.fold(events)).isEmpty();
    }
}
