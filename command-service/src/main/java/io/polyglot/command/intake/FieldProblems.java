package io.polyglot.command.intake;

import com.fasterxml.jackson.core.JsonPointer;
import java.util.ArrayList;
import java.util.List;

/** Collects every field problem of one command, so a client learns all of them from a single answer. */
public final class FieldProblems {

    private final List<FieldError> errors = new ArrayList<>();

    /** Records that the field at {@code pointer} is wrong, and why. */
    public void add(JsonPointer pointer, String message) {
        errors.add(new FieldError(pointer.toString(), message));
    }

    public boolean isEmpty() {
        return errors.isEmpty();
    }

    public List<FieldError> list() {
        return List.copyOf(errors);
    }
}
