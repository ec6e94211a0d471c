package io.polyglot.projection.domain;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * One recorded activity of an aggregate, as the projections see it: where it was read (partition and offset), whose
 * it is, and what happened when.
 *
 * @param partition the partition of {@code events.all} it was read from
 * @param offset its offset in that partition; within an aggregate, a higher offset means a later position
 * @param aggregateType the aggregate type, e.g. {@code LoanApplication}
 * @param aggregateId the aggregate id
 * @param aggregateVersion the aggregate version the decider assigned, 0 before versions were assigned
 * @param activity the activity, e.g. {@code A_SUBMITTED}
 * @param lifecycle the lifecycle transition as the log wrote it, or null when it has none
 * @param occurredAt the business time of the event
 * @param attributes every other attribute of the event, as text
 */
public record ProjectedEvent(
        int partition,
        long offset,
        String aggregateType,
        String aggregateId,
        long aggregateVersion,
        String activity,
        String lifecycle,
        Instant occurredAt,
        Map<String, String> attributes) {

    public ProjectedEvent {
        Objects.requireNonNull(aggregateType, "aggregateType");
        Objects.requireNonNull(aggregateId, "aggregateId");
        Objects.requireNonNull(activity, "activity");
        Objects.requireNonNull(occurredAt, "occurredAt");
        attributes = attributes == null ? Map.of() : Map.copyOf(attributes);
    }
}
