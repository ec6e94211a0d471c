package io.polyglot.command.http;

/**
 * A request body that broke off before its announced end or whose framing is broken (a chunk size that is not a
 * number), answered 400 {@code bad-request}.
 */
final class BodyMalformedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    BodyMalformedException(String message, Throwable cause) {
        super(message, cause);
    }
}
