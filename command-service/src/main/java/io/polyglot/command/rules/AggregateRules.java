package io.polyglot.command.rules;

import io.polyglot.command.intake.EventDraft;

/**
 * The business rules of one aggregate type: the extension point through which a team teaches the decider its own
 * aggregates.
 *
 * <p>An implementation is a plain class: no Kafka, no HTTP, no I/O, no clock. It is given the aggregate's current
 * {@link RuleState} and one event a command wants recorded, and answers whether the event is allowed and what the
 * state becomes. The decider calls it for each event of a command in order, threading the state through; one
 * violation refuses the whole command. It must be deterministic: the same state and event always give the same
 * verdict, because a decision is made once and replayed from the state store after a restart, never re-made.
 *
 * <p>To register rules, put the class on the command service's class path and name it in a file
 * {@code META-INF/services/io.polyglot.command.rules.AggregateRules} (the {@link java.util.ServiceLoader} convention);
 * it needs a public no-argument constructor. {@link RuleBook#load()} finds every registered one; two for the same
 * aggregate type stop the service at start. Aggregate types with no registered rules accept any event that passed
 * its command's schema validation.
 */
public interface AggregateRules {

    /** The aggregate type these rules govern, e.g. {@code LoanApplication}. */
    String aggregateType();

    /** The state of an aggregate before its first event. */
    default RuleState initialState() {
        return RuleState.EMPTY;
    }

    /** Decides one event against the aggregate's current state. */
    Verdict decide(RuleState state, EventDraft event);
}
