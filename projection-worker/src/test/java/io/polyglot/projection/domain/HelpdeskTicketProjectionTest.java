package io.polyglot.projection.domain;

import static io.polyglot.projection.domain.Events.NINE;
import static io.polyglot.projection.domain.Events.loan;
import static io.polyglot.projection.domain.Events.minutes;
import static io.polyglot.projection.domain.Events.ticket;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class HelpdeskTicketProjectionTest {

    private final HelpdeskTicketProjection projection = new HelpdeskTicketProjection();

    @Test
    void takesTheStatusFromTheLaterOfTwoEventsWithTheSameTimestamp() {
        List<ProjectedEvent> events = List.of(
                ticket(2, 0, "Case 1", "Insert ticket", NINE), ticket(2, 1, "Case 1", "Assign seriousness", NINE));

        List<HelpdeskTicketChange> changes = projection.fold(events);

        assertThat(changes)
                .singleElement()
                .extracting(HelpdeskTicketChange::status)
                .isEqualTo("Assign seriousness");
    }

    @Test
    void opensTheTicketAtItsFirstEventByPositionAndEndsAtItsLatestTime() {
        // given a first event whose time is later than the second's
        List<ProjectedEvent> events = List.of(
                ticket(2, 0, "Case 1", "Insert ticket", minutes(10)),
                ticket(2, 1, "Case 1", "Take in charge ticket", minutes(2)),
                ticket(2, 2, "Case 1", "Resolve ticket", minutes(30)));

        List<HelpdeskTicketChange> changes = projection.fold(events);

        assertThat(changes).singleElement().satisfies(change -> {
            assertThat(change.openedAt()).isEqualTo(minutes(10));
            assertThat(change.lastEventAt()).isEqualTo(minutes(30));
            assertThat(change.status()).isEqualTo("Resolve ticket");
            assertThat(change.eventCount()).isEqualTo(3);
            assertThat(change.lastOffset()).isEqualTo(2);
        });
    }

    @Test
    void foldsOnlyHelpdeskTickets() {
        List<ProjectedEvent> events = List.of(
                loan(0, 0, "Application_1", "A_SUBMITTED", NINE), ticket(0, 1, "Case 2", "Insert ticket", NINE));

        List<HelpdeskTicketChange> changes = projection.fold(events);

        assertThat(changes).extracting(HelpdeskTicketChange::ticketId).containsExactly("Case 2");
    }
}
