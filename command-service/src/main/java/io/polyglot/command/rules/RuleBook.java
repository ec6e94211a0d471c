package io.polyglot.command.rules;

import io.polyglot.command.intake.EventDraft;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;

/** The rules of every aggregate type the decider knows, by aggregate type, and how a command's events meet them. */
public final class RuleBook {

    private static final AggregateRules ACCEPT_ANY = new AcceptAnyEvent();

    private final Map<String, AggregateRules> byType;

    private RuleBook(Map<String, AggregateRules> byType) {
        this.byType = Map.copyOf(byType);
    }

    /** A book of exactly the given rules; two for one aggregate type are a programming error. */
    public static RuleBook of(AggregateRules... rules) {
        return of(List.of(rules));
    }

    /** Every {@link AggregateRules} registered through {@link ServiceLoader} on this class's class path. */
    public static RuleBook load() {
        return of(ServiceLoader.load(AggregateRules.class, RuleBook.class.getClassLoader()).stream()
                .map(ServiceLoader.Provider::get)
                .toList());
    }

    private static RuleBook of(List<AggregateRules> rules) {
        Map<String, AggregateRules> byType = new LinkedHashMap<>();
        for (AggregateRules rule : rules) {
            AggregateRules before = byType.putIfAbsent(rule.aggregateType(), rule);
            if (before != null) {
                throw new IllegalArgumentException("two rule sets govern aggregate type " + rule.aggregateType() + ": "
                        + before.getClass().getName() + " and "
                        + rule.getClass().getName());
            }
        }
        return new RuleBook(byType);
    }

    /** The rules of {@code aggregateType}, or rules that accept any event when none are registered for it. */
    public AggregateRules rulesFor(String aggregateType) {
        return byType.getOrDefault(aggregateType, ACCEPT_ANY);
    }

    /** The aggregate types that have rules of their own. */
    public Set<String> governedTypes() {
        return byType.keySet();
    }

    /**
     * Decides a command's events in order against {@code state} ({@code null} for an aggregate that does not exist
     * yet): {@link Verdict.Allowed} with the state after the last one, or the first {@link Verdict.Violated}.
     */
    public Verdict decide(String aggregateType, RuleState state, List<EventDraft> events) {
        AggregateRules rules = rulesFor(aggregateType);
        RuleState current = state == null ? rules.initialState() : state;
        for (EventDraft event : events) {
            Verdict verdict = rules.decide(current, event);
            if (verdict instanceof Verdict.Violated) {
                return verdict;
            }
            current = ((Verdict.Allowed) verdict).next();
        }
        return Verdict.allowed(current);
    }

    /** The rules of an aggregate type nobody registered rules for: the schema check the command passed is enough. */
    private static final class AcceptAnyEvent implements AggregateRules {

        @Override
        public String aggregateType() {
            return "*";
        }

        @Override
        public Verdict decide(RuleState state, EventDraft event) {
            return Verdict.allowed(state);
        }
    }
}
