package io.polyglot.projection.domain;

import java.time.Instant;

/**
 * The first occurrence in a batch of one stage ({@code A_...} activity) of one application, behind {@code
 * loan_funnel}. The store keeps the first one it is given, which is the first by position: an application's events
 * arrive in position order.
 *
 * @param applicationId the aggregate id
 * @param stage the activity, {@code A_...}
 * @param firstAt the business time of its first occurrence in the batch
 * @param source where that event was read
 */
public record LoanStageChange(String applicationId, String stage, Instant firstAt, SourcePosition source) {}
