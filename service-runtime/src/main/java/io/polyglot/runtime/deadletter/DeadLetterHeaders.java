package io.polyglot.runtime.deadletter;

/**
 * The headers every record of {@code events.dlq} carries besides the source record's own, as the design names them.
 * Values are UTF-8 text; numbers are decimal.
 */
public final class DeadLetterHeaders {

    /** The topic the failed record was read from. */
    public static final String SOURCE_TOPIC = "dlq.source.topic";

    /** The partition of the failed record. */
    public static final String SOURCE_PARTITION = "dlq.source.partition";

    /** The offset of the failed record. */
    public static final String SOURCE_OFFSET = "dlq.source.offset";

    /**
     * The failed record's timestamp, epoch milliseconds (absent when it had none); the dead letter's own timestamp is
     * the time it was sent, so the dead-letter topic's time-based retention counts from then.
     */
    public static final String SOURCE_TIMESTAMP = "dlq.source.timestamp";

    /** The consumer group that could not process the record. */
    public static final String GROUP = "dlq.group";

    /** The class name of the error that made the record a dead letter. */
    public static final String ERROR_CLASS = "dlq.error.class";

    /** The error's message, at most {@link #ERROR_MESSAGE_MAX_CHARS} characters, credentials masked. */
    public static final String ERROR_MESSAGE = "dlq.error.message";

    /** How many times the group tried the record before giving up on it. */
    public static final String ATTEMPTS = "dlq.attempts";

    /** The longest error message a dead letter carries; a longer one is cut and marked. */
    public static final int ERROR_MESSAGE_MAX_CHARS = 1_000;

    private DeadLetterHeaders() {}

    /** Whether {@code name} is one of the headers above, which a dead letter sets itself. */
    static boolean isDeadLetterHeader(String name) {
        return name.startsWith("dlq.");
    }
}
