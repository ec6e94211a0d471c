package io.polyglot.command.rules;

import io.polyglot.command.intake.EventDraft;
import io.polyglot.schemas.avro.ActivityRecorded;
import java.util.Set;

/**
 * The rules of a {@code LoanApplication}, a case of the BPI Challenge 2012 loan process, over its
 * {@code ActivityRecorded} events. Activities starting {@code A_} are states of the application, {@code O_} steps of
 * an offer, {@code W_} work items.
 *
 * <ul>
 *   <li>{@value #STARTS_WITH_SUBMISSION}: a case's first event is {@code A_SUBMITTED}.
 *   <li>{@value #SUBMITTED_ONCE}: a second {@code A_SUBMITTED} is refused.
 *   <li>{@value #CLOSED_APPLICATION}: after {@code A_DECLINED} or {@code A_CANCELLED} no {@code A_} event is
 *       accepted; offers and work items may still close, as the log shows they do.
 *   <li>{@value #OFFER_NEEDS_CREATION}: {@code O_SENT}, {@code O_SENT_BACK}, {@code O_ACCEPTED}, {@code O_DECLINED}
 *       and {@code O_CANCELLED} need an {@code O_CREATED} before them in the case.
 * </ul>
 *
 * <p>Events of other types than {@code ActivityRecorded} are not governed by these rules and are accepted.
 */
public final class LoanApplicationRules implements AggregateRules {

    public static final String AGGREGATE_TYPE = "LoanApplication";
    public static final String STARTS_WITH_SUBMISSION = "starts-with-submission";
    public static final String SUBMITTED_ONCE = "submitted-once";
    public static final String CLOSED_APPLICATION = "closed-application";
    public static final String OFFER_NEEDS_CREATION = "offer-needs-creation";

    private static final String SUBMITTED = "A_SUBMITTED";
    private static final String OFFER_CREATED = "O_CREATED";
    private static final Set<String> CLOSING = Set.of("A_DECLINED", "A_CANCELLED");
    private static final Set<String> OFFER_STEPS =
            Set.of("O_SENT", "O_SENT_BACK", "O_ACCEPTED", "O_DECLINED", "O_CANCELLED");

    private static final String KEY_SUBMITTED = "submitted";
    private static final String KEY_CLOSED_BY = "closedBy";
    private static final String KEY_OFFER_CREATED = "offerCreated";

    @Override
    public String aggregateType() {
        return AGGREGATE_TYPE;
    }

    @Override
    public Verdict decide(RuleState state, EventDraft event) {
        if (!(event.payload() instanceof ActivityRecorded recorded)) {
            return Verdict.allowed(state);
        }
        String activity = recorded.getActivity();
        boolean submitted = state.has(KEY_SUBMITTED);
        if (!submitted && !SUBMITTED.equals(activity)) {
            return Verdict.violated(
                    STARTS_WITH_SUBMISSION, "a loan application starts with A_SUBMITTED, not " + activity);
        }
        if (submitted && SUBMITTED.equals(activity)) {
            return Verdict.violated(SUBMITTED_ONCE, "the loan application was already submitted");
        }
        if (activity.startsWith("A_") && state.has(KEY_CLOSED_BY)) {
            return Verdict.violated(
                    CLOSED_APPLICATION,
                    "the loan application was closed by "
                            + state.get(KEY_CLOSED_BY).orElseThrow() + "; it takes no " + activity);
        }
        if (OFFER_STEPS.contains(activity) && !state.has(KEY_OFFER_CREATED)) {
            return Verdict.violated(OFFER_NEEDS_CREATION, activity + " needs an offer created (O_CREATED) before it");
        }
        return Verdict.allowed(next(state, activity));
    }

    private static RuleState next(RuleState state, String activity) {
        if (SUBMITTED.equals(activity)) {
            return state.with(KEY_SUBMITTED, "true");
        }
        if (CLOSING.contains(activity)) {
            return state.with(KEY_CLOSED_BY, activity);
        }
        if (OFFER_CREATED.equals(activity)) {
            return state.with(KEY_OFFER_CREATED, "true");
        }
        return state;
    }
}
