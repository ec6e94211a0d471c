package io.polyglot.projection.rebuild;

/**
 * A rebuild whose swap kept finding the views or tables it replaces held by other sessions until its wait ran out: the
 * old views serve on as they were, and the rebuilt copies were dropped.
 */
public class SwapGaveUpException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public SwapGaveUpException(String message, Throwable lastTry) {
        super(message, lastTry);
    }
}
