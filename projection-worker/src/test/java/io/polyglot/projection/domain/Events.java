package io.polyglot.projection.domain;

import java.time.Instant;
import java.util.Map;

/** Hand-built events for the projection tests. */
final class Events {

    static final Instant NINE = Instant.parse("2011-10-01T09:00:00Z");

    private Events() {}

    static ProjectedEvent loan(int partition, long offset, String id, String activity, Instant at) {
        return loan(partition, offset, id, activity, "COMPLETE", at, Map.of());
    }

    static ProjectedEvent loan(
            int partition,
            long offset,
            String id,
            String activity,
            String lifecycle,
            Instant at,
            Map<String, String> attributes) {
        return new ProjectedEvent(
                partition,
                offset,
                LoanApplicationProjection.AGGREGATE_TYPE,
                id,
                0,
                activity,
                lifecycle,
                at,
                attributes);
    }

    static ProjectedEvent ticket(int partition, long offset, String id, String activity, Instant at) {
        return new ProjectedEvent(
                partition, offset, HelpdeskTicketProjection.AGGREGATE_TYPE, id, 0, activity, null, at, Map.of());
    }

    static ProjectedEvent versioned(ProjectedEvent event, long version) {
        return new ProjectedEvent(
                event.partition(),
                event.offset(),
                event.aggregateType(),
                event.aggregateId(),
                version,
                event.activity(),
                event.lifecycle(),
                event.occurredAt(),
                event.attributes());
    }

    static Instant minutes(int minutes) {
        return NINE.plusSeconds(60L * minutes);
    }
}
