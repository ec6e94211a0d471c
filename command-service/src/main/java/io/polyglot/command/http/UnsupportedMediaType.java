package io.polyglot.command.http;

/** A request body of a media type the route does not take. */
final class UnsupportedMediaType extends RuntimeException {

    private static final long serialVersionUID = 1L;

    UnsupportedMediaType(String expected, String actual) {
        super("the body must be " + expected + ", was " + (actual == null ? "not declared" : actual));
    }
}
