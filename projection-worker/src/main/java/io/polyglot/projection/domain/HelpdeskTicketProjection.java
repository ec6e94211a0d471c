package io.polyglot.projection.domain;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Folds the events of aggregates of type {@value #AGGREGATE_TYPE} into {@code helpdesk_tickets} rows: the status is
 * the activity of the ticket's latest event by position, the opening time the business time of its first.
 */
public final class HelpdeskTicketProjection implements Projection<HelpdeskTicketChange> {

    /** The aggregate type this projection folds. */
    public static final String AGGREGATE_TYPE = "HelpdeskTicket";

    /** The view it maintains. */
    public static final String VIEW = "helpdesk_tickets";

    @Override
    public String name() {
        return VIEW;
    }

    @Override
    public boolean folds(ProjectedEvent event) {
        return AGGREGATE_TYPE.equals(event.aggregateType());
    }

    @Override
    public List<HelpdeskTicketChange> fold(List<ProjectedEvent> events) {
        Map<String, Ticket> tickets = new TreeMap<>();
        for (ProjectedEvent event : events) {
            if (folds(event)) {
                tickets.computeIfAbsent(event.aggregateId(), id -> new Ticket()).apply(event);
            }
        }
        return tickets.entrySet().stream()
                .map(entry -> entry.getValue().change(entry.getKey()))
                .toList();
    }

    private static final class Ticket {
        private String status;
        private Instant openedAt;
        private Instant lastEventAt;
        private long eventCount;
        private long aggregateVersion;
        private int partition;
        private long lastOffset;

        void apply(ProjectedEvent event) {
            status = event.activity();
            if (openedAt == null) {
                openedAt = event.occurredAt();
            }
            if (lastEventAt == null || event.occurredAt().isAfter(lastEventAt)) {
                lastEventAt = event.occurredAt();
            }
            eventCount++;
            aggregateVersion = event.aggregateVersion();
            partition = event.partition();
            lastOffset = event.offset();
        }

        HelpdeskTicketChange change(String ticketId) {
            return new HelpdeskTicketChange(
                    ticketId, status, openedAt, lastEventAt, eventCount, aggregateVersion, partition, lastOffset);
        }
    }
}
