package io.polyglot.command.http;

/**
 * A request body of a media type the route does not take, in a charset it does not read, or under a
 * {@code Content-Type} it cannot read at all: each is {@code 415 unsupported-media-type} (see
 * {@link RequestBodies#requireMediaType(jakarta.servlet.http.HttpServletRequest, String)} for why).
 */
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
        return new UnsupportedMediaType(
                takes(expected) + ", was declared charset=" + (charset.isEmpty() ? "\"\"" : charset));
    }

    /** The {@code Content-Type} value {@code declared} breaks the grammar, as {@code reason} says. */
    static UnsupportedMediaType unreadable(String expected, String declared, String reason) {
        return new UnsupportedMediaType(takes(expected) + ", was Content-Type " + ContentType.quoted(declared)
                + ", which cannot be read: " + reason);
    }

    /** The body declares its charset in the extended notation of RFC 8187 (parameter {@code name}). */
    static UnsupportedMediaType extendedCharset(String expected, String name) {
        return new UnsupportedMediaType(takes(expected) + ", was declared with parameter " + name
                + ", the extended notation of RFC 8187, which is not read");
    }

    private static String takes(String expected) {
        return "the body must be " + expected + " in UTF-8 (charset=" + RequestBodies.UTF_8 + " or none)";
    }
}
