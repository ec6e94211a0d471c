package io.polyglot.command.intake;

/**
 * Where one command record is stored: its partition of topic {@code commands} and its offset there. Every record has
 * a position of its own, also when it holds the same command as another (a retry sent while the first is undecided).
 */
public record CommandPosition(int partition, long offset) {}
