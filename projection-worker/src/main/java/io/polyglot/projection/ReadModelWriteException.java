package io.polyglot.projection;

/**
 * The database refused a batch for a reason that retrying does not change (a broken schema, a violated constraint).
 * The worker stops rather than skip events: the read model would no longer equal the fold of the log.
 */
public class ReadModelWriteException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public ReadModelWriteException(String message, Throwable cause) {
        super(message, cause);
    }
}
