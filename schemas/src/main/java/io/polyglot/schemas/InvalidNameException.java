package io.polyglot.schemas;

/** A name that breaks the name rules; it is refused, never rewritten. */
public class InvalidNameException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    public InvalidNameException(String message) {
        super(message);
    }
}
