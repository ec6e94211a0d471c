package io.polyglot.command.http;

/** A request body over its limit; thrown before the rest of it is read. */
final class BodyTooLargeException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    BodyTooLargeException(String message) {
        super(message);
    }
}
