package io.polyglot.command.rules;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What an aggregate's rules remember between commands: a small, sorted map of text keys to text values.
 *
 * <p>Text keeps the state store format independent of any one aggregate type: the decider stores and shows every
 * aggregate's state the same way ({@code GET /v1/aggregates/{type}/{id}} returns it as {@code state}), and a team
 * adding rules needs no schema of its own for them. Instances are immutable; {@link #with} returns a new one.
 */
public final class RuleState {

    /** The state of an aggregate nothing has happened to yet. */
    public static final RuleState EMPTY = new RuleState(new TreeMap<>());

    private final SortedMap<String, String> values;

    private RuleState(SortedMap<String, String> values) {
        this.values = values;
    }

    /** A state holding a copy of {@code values}, e.g. read back from the state store. */
    public static RuleState of(Map<String, String> values) {
        return values.isEmpty() ? EMPTY : new RuleState(new TreeMap<>(values));
    }

    public Optional<String> get(String key) {
        return Optional.ofNullable(values.get(key));
    }

    /** Whether {@code key} is present, for rules that only remember that something happened. */
    public boolean has(String key) {
        return values.containsKey(key);
    }

    /** A state like this one with {@code key} set to {@code value}. */
    public RuleState with(String key, String value) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        if (value.equals(values.get(key))) {
            return this;
        }
        TreeMap<String, String> next = new TreeMap<>(values);
        next.put(key, value);
        return new RuleState(next);
    }

    /** The values, sorted by key, read-only. */
    public Map<String, String> values() {
        return Collections.unmodifiableSortedMap(values);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof RuleState state && state.values.equals(values);
    }

    @Override
    public int hashCode() {
        return values.hashCode();
    }

    @Override
    public String toString() {
        return "RuleState" + values;
    }
}
