package io.polyglot.runtime;

import java.util.regex.Pattern;

/**
 * The answer of an admin route: a status and a JSON body; an error is an {@code application/problem+json} body.
 *
 * @param status the HTTP status
 * @param json the body, JSON
 */
public record AdminResponse(int status, String json) {

    private static final Pattern NEEDS_ESCAPE = Pattern.compile("[\"\\\\\\p{Cntrl}]");

    /** A 200 answer with {@code json}. */
    public static AdminResponse ok(String json) {
        return new AdminResponse(200, json);
    }

    /**
     * A problem answer: {@code type} is the suffix of {@code urn:polyglot:problem:}, and the title is the type in words
     * ({@code worker-unreachable}: "Worker unreachable").
     */
    public static AdminResponse problem(int status, String type, String detail) {
        return new AdminResponse(
                status,
                "{\"type\":\"urn:polyglot:problem:" + escape(type) + "\",\"title\":\"" + escape(title(type))
                        + "\",\"status\":" + status + ",\"detail\":\"" + escape(detail) + "\"}");
    }

    /** A problem type in words, as a problem's title: {@code not-found} is "Not found". */
    public static String title(String type) {
        String words = type.replace('-', ' ');
        return words.isEmpty() ? words : Character.toUpperCase(words.charAt(0)) + words.substring(1);
    }

    /** The content type of the body. */
    public String contentType() {
        return status >= 400 ? "application/problem+json" : "application/json";
    }

    private static String escape(String text) {
        StringBuilder out = new StringBuilder();
        for (char c : text.toCharArray()) {
            if (NEEDS_ESCAPE.matcher(String.valueOf(c)).matches()) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
