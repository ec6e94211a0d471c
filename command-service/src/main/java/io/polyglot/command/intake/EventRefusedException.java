package io.polyglot.command.intake;

/** The event store refused the events for good (not a passing outage): retrying the same command cannot help. */
public class EventRefusedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public EventRefusedException(String message, Throwable cause) {
        super(message, cause);
    }
}
