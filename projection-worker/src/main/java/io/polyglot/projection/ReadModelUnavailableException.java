package io.polyglot.projection;

/**
 * The read model's database could not be reached, or kept refusing a transaction for reasons that pass (deadlocks,
 * serialization failures). Nothing of the batch was applied; retrying it is safe.
 */
public class ReadModelUnavailableException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public ReadModelUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
