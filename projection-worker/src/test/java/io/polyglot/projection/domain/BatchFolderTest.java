package io.polyglot.projection.domain;

import static io.polyglot.projection.domain.Events.NINE;
import static io.polyglot.projection.domain.Events.loan;
import static io.polyglot.projection.domain.Events.minutes;
import static io.polyglot.projection.domain.Events.ticket;
import static io.polyglot.projection.domain.Events.versioned;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class BatchFolderTest {

    private final BatchFolder folder = new BatchFolder();

    @Test
    void foldsEventsInOffsetOrderWhateverOrderTheyCameIn() {
        List<ProjectedEvent> events = List.of(
                loan(0, 11, "Application_1", "A_DECLINED", NINE), loan(0, 10, "Application_1", "A_SUBMITTED", NINE));

        BatchFolder.Folded folded = folder.fold("events.all", events, List.of(advance(0, 12)));

        assertThat(folded.batch().loanApplications())
                .singleElement()
                .extracting(LoanApplicationChange::status)
                .isEqualTo("A_DECLINED");
    }

    @Test
    void leavesOutAnEventWhoseVersionDoesNotFollowItsAggregatesPreviousOne() {
        // given version 2 arriving after version 3
        List<ProjectedEvent> events = List.of(
                versioned(loan(0, 10, "Application_1", "A_SUBMITTED", minutes(0)), 1),
                versioned(loan(0, 11, "Application_1", "A_PARTLYSUBMITTED", minutes(1)), 3),
                versioned(loan(0, 12, "Application_1", "A_DECLINED", minutes(2)), 2));

        BatchFolder.Folded folded = folder.fold("events.all", events, List.of(advance(0, 13)));

        assertThat(folded.outOfOrder()).extracting(ProjectedEvent::offset).containsExactly(12L);
        assertThat(folded.batch().loanApplications()).singleElement().satisfies(change -> {
            assertThat(change.status()).isEqualTo("A_PARTLYSUBMITTED");
            assertThat(change.eventCount()).isEqualTo(2);
            assertThat(change.aggregateVersion()).isEqualTo(3);
        });
    }

    @Test
    void takesEventsWithoutVersionsByPositionAlone() {
        List<ProjectedEvent> events = List.of(
                loan(0, 10, "Application_1", "A_SUBMITTED", NINE), loan(0, 11, "Application_1", "A_DECLINED", NINE));

        BatchFolder.Folded folded = folder.fold("events.all", events, List.of(advance(0, 12)));

        assertThat(folded.outOfOrder()).isEmpty();
        assertThat(folded.batch().loanApplications())
                .singleElement()
                .extracting(LoanApplicationChange::eventCount)
                .isEqualTo(2L);
    }

    @Test
    void countsTheEventsEachProjectionFoldedAndSortsTheAdvances() {
        List<ProjectedEvent> events = List.of(
                loan(0, 10, "Application_1", "A_SUBMITTED", NINE),
                ticket(1, 3, "Case 1", "Insert ticket", NINE),
                loan(0, 11, "Application_1", "A_DECLINED", NINE));

        BatchFolder.Folded folded = folder.fold("events.all", events, List.of(advance(1, 4), advance(0, 12)));

        assertThat(folded.batch().projected())
                .containsEntry(LoanApplicationProjection.VIEW, 2L)
                .containsEntry(LoanActivityCountProjection.VIEW, 2L)
                .containsEntry(HelpdeskTicketProjection.VIEW, 1L);
        assertThat(folded.batch().advances())
                .extracting(PartitionAdvance::partition)
                .containsExactly(0, 1);
    }

    private static PartitionAdvance advance(int partition, long next) {
        return new PartitionAdvance(partition, OptionalLong.empty(), next);
    }
}
