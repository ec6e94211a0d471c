package io.polyglot.projection.domain;

import java.time.Instant;

/**
 * A row behind {@code loan_work_items}: one START of a work item. The store inserts a new row whole; for a row it has
 * already, it only fills in {@code completedAt}.
 *
 * @param applicationId the aggregate id
 * @param workItem the work item's activity, {@code W_...}
 * @param start where the START was read: the row's key within the work item
 * @param scheduledAt the business time of the work item's latest SCHEDULE before the START, or null
 * @param startedAt the business time of the START
 * @param completedAt the business time of the work item's next COMPLETE before its next START, or null
 * @param lastOffset the offset of the last event folded into the row
 */
public record LoanWorkItemRow(
        String applicationId,
        String workItem,
        SourcePosition start,
        Instant scheduledAt,
        Instant startedAt,
        Instant completedAt,
        long lastOffset) {

    LoanWorkItemRow completed(Instant at, long offset) {
        return new LoanWorkItemRow(applicationId, workItem, start, scheduledAt, startedAt, at, offset);
    }
}
