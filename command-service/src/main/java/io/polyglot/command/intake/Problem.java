package io.polyglot.command.intake;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Why a request or command was refused, in the shape of an {@code application/problem+json} body: its type, a
 * human-readable detail and, for field problems, the pointer and message of each.
 */
public record Problem(ProblemType type, String detail, List<FieldError> errors, Map<String, Object> members) {

    public Problem {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(detail, "detail");
        errors = List.copyOf(errors);
        members = Collections.unmodifiableMap(new LinkedHashMap<>(members));
    }

    /** A problem with field errors and no further members. */
    public Problem(ProblemType type, String detail, List<FieldError> errors) {
        this(type, detail, errors, Map.of());
    }

    /**
     * A problem with further members of its body, e.g. {@code rule}, {@code expectedVersion}, {@code currentVersion};
     * values are strings or numbers.
     */
    public static Problem withMembers(ProblemType type, String detail, Map<String, Object> members) {
        return new Problem(type, detail, List.of(), members);
    }

    /** A problem that is about the request as a whole rather than about particular fields. */
    public static Problem of(ProblemType type, String detail) {
        return new Problem(type, detail, List.of());
    }

    public int status() {
        return type.status();
    }
}
