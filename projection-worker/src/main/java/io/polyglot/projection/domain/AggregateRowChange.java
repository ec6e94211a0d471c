package io.polyglot.projection.domain;

import java.time.Instant;

/**
 * What every change of an aggregate's own row carries, whatever the aggregate's type: the fold of the batch's events
 * of one aggregate, merged into the stored row the same way for each type.
 */
public interface AggregateRowChange {

    /** The latest business time of the aggregate's events in the batch. */
    Instant lastEventAt();

    /** How many of the aggregate's events the batch holds. */
    long eventCount();

    /** The version of the batch's last event of the aggregate (0 before versions). */
    long aggregateVersion();

    /** The partition the events were read from. */
    int partition();

    /** The offset of the batch's last event of the aggregate. */
    long lastOffset();
}
