package io.polyglot.projection.domain;

import java.time.Instant;

/**
 * What one batch changes in one row of {@code helpdesk_tickets}: the fold of that ticket's events in the batch, to be
 * merged into the stored row.
 *
 * @param ticketId the aggregate id
 * @param status the activity of the batch's last event of the ticket
 * @param openedAt the business time of the batch's first event of the ticket (kept only for a new ticket)
 * @param lastEventAt the latest business time in the batch
 * @param eventCount how many of the ticket's events the batch holds
 * @param aggregateVersion the version of the batch's last event of the ticket (0 before versions)
 * @param partition the partition the events were read from
 * @param lastOffset the offset of the batch's last event of the ticket
 */
public record HelpdeskTicketChange(
        String ticketId,
        String status,
        Instant openedAt,
        Instant lastEventAt,
        long eventCount,
        long aggregateVersion,
        int partition,
        long lastOffset)
        implements AggregateRowChange {}
