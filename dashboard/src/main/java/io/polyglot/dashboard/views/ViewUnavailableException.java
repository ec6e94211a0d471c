package io.polyglot.dashboard.views;

/** PostgreSQL could not answer a query of a view (down, or the query ran out of time); retriable, answered 503. */
public final class ViewUnavailableException extends RuntimeException {

    public ViewUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
