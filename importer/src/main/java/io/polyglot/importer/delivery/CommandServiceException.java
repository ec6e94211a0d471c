package io.polyglot.importer.delivery;

/**
 * The command service could not take a batch, and sending it again will not help: it stayed unreachable or unavailable
 * through every retry, refused the request as a whole (a wrong token, a body it calls malformed), or answered in a way
 * the importer does not understand. Fatal for the import.
 */
public final class CommandServiceException extends Exception {

    private final boolean unreachable;

    private CommandServiceException(String message, boolean unreachable, Throwable cause) {
        super(message, cause);
        this.unreachable = unreachable;
    }

    /** Every attempt failed with a transient fault. */
    public static CommandServiceException unreachable(String message, Throwable cause) {
        return new CommandServiceException(message, true, cause);
    }

    /** The command service answered, but with a refusal of the whole request or an answer the importer cannot read. */
    public static CommandServiceException refused(String message) {
        return new CommandServiceException(message, false, null);
    }

    /** Whether the command service could not be reached or stayed unavailable. */
    public boolean unreachable() {
        return unreachable;
    }
}
