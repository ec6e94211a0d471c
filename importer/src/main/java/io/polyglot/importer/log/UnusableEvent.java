package io.polyglot.importer.log;

/**
 * An event the importer rejects locally, without sending it, because the log lacks something every command needs.
 *
 * @param caseId the case id, or {@code null} when the case itself has none
 * @param position the 1-based position within its case
 * @param problem a short machine-readable reason, e.g. {@code missing-timestamp}
 * @param detail a sentence for people
 * @param line the line of the log file where the event starts
 */
public record UnusableEvent(String caseId, int position, String problem, String detail, long line) implements LogEntry {

    /** The reason when an event has no activity name. */
    public static final String MISSING_ACTIVITY = "missing-activity";

    /** The reason when an event has no business time. */
    public static final String MISSING_TIMESTAMP = "missing-timestamp";

    /** The reason when an event's business time cannot be read as an instant. */
    public static final String INVALID_TIMESTAMP = "invalid-timestamp";

    /** The reason when an event's case has no id. */
    public static final String MISSING_CASE_ID = "missing-case-id";
}
