package io.polyglot.runtime.deadletter;

import java.util.regex.Pattern;

/**
 * Turns an error into the text a dead letter carries: bounded in length, with anything that looks like a credential
 * masked, because {@code events.dlq} is read by people and tools that must never see one.
 */
final class ErrorText {

    private static final String MASK = "****";
    private static final String CUT = " [cut]";

    /** {@code user:password@} in a URL. */
    private static final Pattern URL_USER_INFO = Pattern.compile("(?i)([a-z][a-z0-9+.-]*://)[^/\\s@]*@");

    /** {@code password=...}, {@code secret: ...}, {@code token ...} and the like, up to the next separator. */
    private static final Pattern NAMED_SECRET = Pattern.compile(
            "(?i)\\b([a-z_.-]*(?:password|passwd|secret|token|credential|api[_-]?key|access[_-]?key)[a-z_.-]*)"
                    + "(\\s*[=:]\\s*|\\s+)(\"[^\"]*\"|'[^']*'|[^\\s,;&)\\]}]+)");

    /** {@code Authorization: Bearer abc}. */
    private static final Pattern BEARER = Pattern.compile("(?i)\\b(bearer|basic)\\s+[A-Za-z0-9._~+/=-]+");

    private ErrorText() {}

    /** The message of {@code error}, masked and at most {@code maxChars} characters. */
    static String of(Throwable error, int maxChars) {
        String message = error.getMessage();
        return bounded(mask(message == null ? error.getClass().getSimpleName() : message), maxChars);
    }

    static String mask(String text) {
        String masked = URL_USER_INFO.matcher(text).replaceAll("$1" + MASK + "@");
        masked = BEARER.matcher(masked).replaceAll("$1 " + MASK);
        return NAMED_SECRET.matcher(masked).replaceAll("$1$2" + MASK);
    }

    static String bounded(String text, int maxChars) {
        if (text.length() <= maxChars) {
            return text;
        }
        int end = maxChars - CUT.length();
        if (Character.isHighSurrogate(text.charAt(end - 1))) {
            end--;
        }
        return text.substring(0, end) + CUT;
    }
}
