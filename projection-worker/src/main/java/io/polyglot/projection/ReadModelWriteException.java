package io.polyglot.projection;

/**
 * The database refused a batch for a reason in its rows, one that retrying the same rows does not change (a NUL
 * character in a text, a violated constraint, an index row too large). The worker then applies the batch's records
 * one at a time and sends a record refused alone, after its attempts, to the dead letters.
 */
public class ReadModelWriteException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String sqlState;

    public ReadModelWriteException(String message, String sqlState, Throwable cause) {
        super(message, cause);
        this.sqlState = sqlState;
    }

    /** The SQL state PostgreSQL (or its driver) gave, e.g. {@code 22021}. */
    public String sqlState() {
        return sqlState;
    }
}
