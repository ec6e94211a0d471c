package io.polyglot.dashboard;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;

/**
 * Answers with {@code application/problem+json} (RFC 9457): {@code type} {@code urn:polyglot:problem:} plus a stable
 * name, {@code title}, {@code status}, {@code detail}, and {@code parameter} where a query parameter is at fault.
 */
final class Problems {

    static final String MEDIA_TYPE = "application/problem+json";
    static final String PREFIX = "urn:polyglot:problem:";

    private final ObjectMapper json;

    Problems(ObjectMapper json) {
        this.json = json;
    }

    void respond(Context ctx, int status, String type, String title, String detail) {
        respond(ctx, status, type, title, detail, null);
    }

    void respond(Context ctx, int status, String type, String title, String detail, String parameter) {
        ObjectNode body = json.createObjectNode()
                .put("type", PREFIX + type)
                .put("title", title)
                .put("status", status)
                .put("detail", detail);
        if (parameter != null) {
            body.put("parameter", parameter);
        }
        // JSON is UTF-8 (RFC 8259) and its media type takes no charset, so the bytes are written as UTF-8 here rather
        // than left to the servlet response, which encodes a type it does not know as ISO-8859-1.
        ctx.status(status).contentType(MEDIA_TYPE).result(body.toString().getBytes(StandardCharsets.UTF_8));
    }
}
