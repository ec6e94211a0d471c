package io.polyglot.projection.domain;

import java.time.Instant;

/**
 * A row behind {@code loan_offers}, whole: what the store writes, and what it reads back for an application's latest
 * created offer.
 *
 * @param applicationId the aggregate id
 * @param offerNo the offer's number within the application, 1 for its first {@code O_CREATED}
 * @param status the activity of the offer's latest event
 * @param createdAt the business time of its {@code O_CREATED}
 * @param decidedAt the business time of its first {@code O_ACCEPTED}, {@code O_DECLINED} or {@code O_CANCELLED}, or
 *     null
 * @param source where the last event folded into the row was read
 */
public record LoanOfferRow(
        String applicationId,
        int offerNo,
        String status,
        Instant createdAt,
        Instant decidedAt,
        SourcePosition source) {}
