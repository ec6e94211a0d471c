package io.polyglot.importer.log;

/** Receives the events of a log in the log's order, one at a time, so no reader ever holds the whole log. */
@FunctionalInterface
public interface EventSink {

    /** Takes one event; may block to slow the reader down when sending falls behind. */
    void accept(LogEntry entry);
}
