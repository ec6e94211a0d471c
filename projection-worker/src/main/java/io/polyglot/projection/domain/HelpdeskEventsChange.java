package io.polyglot.projection.domain;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The events of one ticket in one batch, in position order. The first of them is the next event of the ticket's last
 * event of an earlier batch, so the store resolves the change against that stored row inside the batch's transaction.
 *
 * @param ticketId the aggregate id
 * @param events its events in the batch, in position order
 */
public record HelpdeskEventsChange(String ticketId, List<TicketEvent> events) {

    public HelpdeskEventsChange {
        events = List.copyOf(events);
    }

    /**
     * The rows this change writes, in position order: the stored last event with its next event's time, when the
     * batch has one, then every event of the batch, each with the time of the one after it. Events at or before the
     * stored last one are passed over, so resolving a replayed batch against its own result writes nothing.
     *
     * @param storedLast the ticket's stored row that has no next event yet, or null when the ticket has none
     */
    public List<HelpdeskEventRow> resolve(HelpdeskEventRow storedLast) {
        List<TicketEvent> fresh = events.stream()
                .filter(event -> storedLast == null || !storedLast.source().covers(event.partition(), event.offset()))
                .toList();
        List<HelpdeskEventRow> rows = new ArrayList<>(fresh.size() + 1);
        if (fresh.isEmpty()) {
            return rows;
        }
        if (storedLast != null) {
            rows.add(new HelpdeskEventRow(
                    ticketId,
                    storedLast.source(),
                    storedLast.activity(),
                    storedLast.occurredAt(),
                    fresh.get(0).occurredAt()));
        }
        for (int i = 0; i < fresh.size(); i++) {
            TicketEvent event = fresh.get(i);
            Instant next = i + 1 < fresh.size() ? fresh.get(i + 1).occurredAt() : null;
            rows.add(new HelpdeskEventRow(
                    ticketId,
                    new SourcePosition(event.partition(), event.offset()),
                    event.activity(),
                    event.occurredAt(),
                    next));
        }
        return rows;
    }

    /**
     * One event of the ticket.
     *
     * @param partition the partition it was read from
     * @param offset its offset there
     * @param activity the activity
     * @param occurredAt its business time
     */
    public record TicketEvent(int partition, long offset, String activity, Instant occurredAt) {}
}
