package io.polyglot.projection.domain;

import java.time.Instant;

/**
 * A row behind {@code helpdesk_activity_durations}: one event of a ticket and the business time of the ticket's next
 * event. The store inserts a new row whole; for a row it has already, it only fills in a missing {@code
 * nextOccurredAt}.
 *
 * @param ticketId the aggregate id
 * @param source where the event was read: the row's key within the ticket
 * @param activity the activity
 * @param occurredAt its business time
 * @param nextOccurredAt the business time of the ticket's next event by position, or null while it is the last
 */
public record HelpdeskEventRow(
        String ticketId, SourcePosition source, String activity, Instant occurredAt, Instant nextOccurredAt) {}
