package io.polyglot.projection.domain;

import java.time.Instant;

/**
 * What the next events of one work item of one application need to know, stored between batches: the START still
 * waiting for its COMPLETE and the latest SCHEDULE.
 *
 * @param applicationId the aggregate id
 * @param workItem the work item's activity
 * @param openStart where the open START was read, or null when none is open
 * @param openStartedAt its business time, or null when none is open
 * @param lastScheduledAt the business time of the work item's latest SCHEDULE, or null
 * @param source where the work item's last applied event was read
 */
public record LoanWorkItemState(
        String applicationId,
        String workItem,
        SourcePosition openStart,
        Instant openStartedAt,
        Instant lastScheduledAt,
        SourcePosition source) {}
