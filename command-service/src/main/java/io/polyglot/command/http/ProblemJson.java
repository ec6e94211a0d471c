package io.polyglot.command.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.polyglot.command.intake.FieldError;
import io.polyglot.command.intake.Problem;

/** The {@code application/problem+json} form of a {@link Problem}. */
final class ProblemJson {

    static final String MEDIA_TYPE = "application/problem+json";

    private ProblemJson() {}

    static ObjectNode node(ObjectMapper json, Problem problem) {
        ObjectNode node = json.createObjectNode();
        node.put("type", problem.type().uri());
        node.put("title", problem.type().title());
        node.put("status", problem.status());
        node.put("detail", problem.detail());
        problem.members().forEach((name, value) -> {
            if (value instanceof Number number) {
                node.put(name, number.longValue());
            } else if (value instanceof Boolean flag) {
                node.put(name, flag);
            } else {
                node.put(name, String.valueOf(value));
            }
        });
        if (!problem.errors().isEmpty()) {
            ArrayNode errors = node.putArray("errors");
            for (FieldError error : problem.errors()) {
                errors.addObject().put("pointer", error.pointer()).put("message", error.message());
            }
        }
        return node;
    }
}
