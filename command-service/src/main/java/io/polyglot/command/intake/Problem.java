package io.polyglot.command.intake;

import java.util.List;
import java.util.Objects;

/**
 * Why a request or command was refused, in the shape of an {@code application/problem+json} body: its type, a
 * human-readable detail and, for field problems, the pointer and message of each.
 */
public record Problem(ProblemType type, String detail, List<FieldError> errors) {

    public Problem {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(detail, "detail");
        errors = List.copyOf(errors);
    }

    /** A problem that is about the request as a whole rather than about particular fields. */
    public static Problem of(ProblemType type, String detail) {
        return new Problem(type, detail, List.of());
    }

    public int status() {
        return type.status();
    }
}
