package io.polyglot.command.http;

/** A request body that stalled, trickled in too slowly or was cut off before its end. */
final class BodyUnreadableException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    BodyUnreadableException(String message, Throwable cause) {
        super(message, cause);
    }
}
