package io.polyglot.importer.log;

/**
 * One event read from a log: either a {@link CaseEvent} that can become a command, or an {@link UnusableEvent} that
 * the importer rejects locally and never sends.
 */
public sealed interface LogEntry permits CaseEvent, UnusableEvent {

    /** The case (aggregate) id, or {@code null} when the log gave the event none. */
    String caseId();

    /** The 1-based position of the event within its case, in the log's order. */
    int position();

    /** The line of the log file where the event starts (1-based), for messages. */
    long line();
}
