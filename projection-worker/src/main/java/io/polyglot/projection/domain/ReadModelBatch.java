package io.polyglot.projection.domain;

import java.util.List;
import java.util.Map;

/**
 * Everything one poll changes in the read model, applied in one transaction: the row changes of every projection and
 * the offset advance of every partition the poll read from.
 *
 * @param topic the topic the events were read from
 * @param advances the offset advance of each partition, ordered by partition
 * @param loanApplications changes to {@code loan_applications}, ordered by application id
 * @param loanActivityCounts changes to the partial counts behind {@code loan_activity_counts}, in key order
 * @param helpdeskTickets changes to {@code helpdesk_tickets}, ordered by ticket id
 * @param realLogs changes to the read models of the real logs: offers, work items, funnel, durations, weather
 * @param projected how many events each projection (by view name) folded into the changes
 */
public record ReadModelBatch(
        String topic,
        List<PartitionAdvance> advances,
        List<LoanApplicationChange> loanApplications,
        List<ActivityCountChange> loanActivityCounts,
        List<HelpdeskTicketChange> helpdeskTickets,
        RealLogChanges realLogs,
        Map<String, Long> projected) {

    public ReadModelBatch {
        advances = List.copyOf(advances);
        loanApplications = List.copyOf(loanApplications);
        loanActivityCounts = List.copyOf(loanActivityCounts);
        helpdeskTickets = List.copyOf(helpdeskTickets);
        realLogs = realLogs == null ? RealLogChanges.NONE : realLogs;
        projected = Map.copyOf(projected);
    }

    /** A batch that changes none of the read models of the real logs. */
    public ReadModelBatch(
            String topic,
            List<PartitionAdvance> advances,
            List<LoanApplicationChange> loanApplications,
            List<ActivityCountChange> loanActivityCounts,
            List<HelpdeskTicketChange> helpdeskTickets,
            Map<String, Long> projected) {
        this(topic, advances, loanApplications, loanActivityCounts, helpdeskTickets, RealLogChanges.NONE, projected);
    }

    /** Whether the batch changes no row (it may still advance offsets). */
    public boolean changesNoRow() {
        return loanApplications.isEmpty()
                && loanActivityCounts.isEmpty()
                && helpdeskTickets.isEmpty()
                && realLogs.isEmpty();
    }
}
