package io.polyglot.command.http;

/** A request body that was not whole by its deadline: it stalled or trickled in. */
final class BodyUnreadableException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    BodyUnreadableException(String message, Throwable cause) {
        super(message, cause);
    }
}
