package io.polyglot.bench;

/**
 * A ratio a stage reports pair by pair: in each round, its figure {@code ours} divided by its figure {@code raw}.
 *
 * @param name how the report names it
 * @param ours the numerator's figure name
 * @param raw the denominator's figure name
 */
record Ratio(String name, String ours, String raw) {}
