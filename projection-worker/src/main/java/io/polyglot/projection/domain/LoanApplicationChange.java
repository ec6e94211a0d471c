package io.polyglot.projection.domain;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * What one batch changes in one row of {@code loan_applications}: the fold of that application's events in the batch,
 * to be merged into the stored row. A null field means "the batch says nothing about it": the stored value stays.
 *
 * @param applicationId the aggregate id
 * @param status the activity of the batch's latest application-state event ({@code A_...}), or null if it has none
 * @param amountRequested attribute {@code AMOUNT_REQ} of the batch's first event that carries a number in it, or null
 * @param submittedAt the business time of the batch's first {@code A_SUBMITTED} event, or null
 * @param lastEventAt the latest business time in the batch
 * @param eventCount how many of the application's events the batch holds
 * @param aggregateVersion the version of the batch's last event of the application (0 before versions)
 * @param partition the partition the events were read from
 * @param lastOffset the offset of the batch's last event of the application
 */
public record LoanApplicationChange(
        String applicationId,
        String status,
        BigDecimal amountRequested,
        Instant submittedAt,
        Instant lastEventAt,
        long eventCount,
        long aggregateVersion,
        int partition,
        long lastOffset)
        implements AggregateRowChange {}
