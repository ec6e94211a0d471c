package io.polyglot.bench;

/**
 * One measured value of one round.
 *
 * @param value the value
 * @param unit its unit, e.g. {@code events/s} or {@code ms}
 */
record Figure(double value, String unit) {}
