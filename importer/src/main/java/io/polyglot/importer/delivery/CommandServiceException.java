package io.polyglot.importer.delivery;

import java.util.Optional;

/**
 * The command service could not take a batch, and sending it again will not help: it stayed unreachable or unavailable
 * through every retry, refused the request as a whole (a wrong token, a body it calls malformed), or answered in a way
 * the importer does not understand. Fatal for the import.
 */
public final class CommandServiceException extends Exception {

    private final boolean unreachable;
    private final String notSentBecause;

    private CommandServiceException(String message, boolean unreachable, String notSentBecause, Throwable cause) {
        super(message, cause);
        this.unreachable = unreachable;
        this.notSentBecause = notSentBecause;
    }

    /** Every attempt failed with a transient fault, and at least one got a connection. */
    public static CommandServiceException unreachable(String message, Throwable cause) {
        return new CommandServiceException(message, true, null, cause);
    }

    /**
     * Every attempt failed before it had a connection, so none of the commands left the machine.
     *
     * @param why why, in a phrase for the summary, e.g. {@code the command service at URL could not be reached}
     */
    public static CommandServiceException nothingSent(String message, String why, Throwable cause) {
        return new CommandServiceException(message, true, why, cause);
    }

    /** The command service answered, but with a refusal of the whole request or an answer the importer cannot read. */
    public static CommandServiceException refused(String message) {
        return new CommandServiceException(message, false, null, null);
    }

    /** Why the batch was never sent (no attempt got a connection), in a phrase; empty when it may have been. */
    public Optional<String> notSentBecause() {
        return Optional.ofNullable(notSentBecause);
    }

    /** Whether the command service could not be reached or stayed unavailable. */
    public boolean unreachable() {
        return unreachable;
    }
}
