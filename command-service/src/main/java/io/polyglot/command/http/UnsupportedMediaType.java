package io.polyglot.command.http;

/** A request body of a media type the route does not take, or in a charset it does not read. */
final class UnsupportedMediaType extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private UnsupportedMediaType(String message) {
        super(message);
    }

    /** The body's media type is not {@code expected}; {@code actual} is null when the request declared none. */
    static UnsupportedMediaType ofType(String expected, String actual) {
        return new UnsupportedMediaType(takes(expected) + ", was " + (actual == null ? "not declared" : actual));
    }

    /** The body is of the media type the route takes, but declared in {@code charset}, which is not UTF-8. */
    static UnsupportedMediaType ofCharset(String expected, String charset) {
        return new UnsupportedMediaType(takes(expected) + ", was declared charset=" + charset);
    }

    private static String takes(String expected) {
        return "the body must be " + expected + " in UTF-8 (charset=" + RequestBodies.UTF_8 + " or none)";
    }
}
