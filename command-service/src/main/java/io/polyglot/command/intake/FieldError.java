package io.polyglot.command.intake;

import java.util.Objects;

/**
 * One problem with one field of a command: where it is, as an RFC 6901 JSON pointer into the request body, and
 * what is wrong with it.
 */
public record FieldError(String pointer, String message) {

    public FieldError {
        Objects.requireNonNull(pointer, "pointer");
        Objects.requireNonNull(message, "message");
    }
}
