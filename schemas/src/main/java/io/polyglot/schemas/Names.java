package io.polyglot.schemas;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The name rules of the design. Aggregate types are refused, never rewritten, when they do not match {@link
 * #AGGREGATE_TYPE_PATTERN}. Aggregate ids and command ids may hold any Unicode text (helpdesk ids have spaces) but no
 * control characters and nothing that could be read as a path.
 */
public final class Names {

    /** The rule for aggregate types. */
    public static final Pattern AGGREGATE_TYPE_PATTERN = Pattern.compile("^[A-Z][A-Za-z0-9]{0,63}$");

    /** Longest aggregate type, in characters: that of {@link #AGGREGATE_TYPE_PATTERN}. */
    private static final int AGGREGATE_TYPE_MAX_LENGTH = 64;

    /** Longest id, in characters (UTF-16 code units). */
    public static final int ID_MAX_LENGTH = 256;

    private Names() {}

    /** Why {@code type} is not a valid aggregate type, or empty when it is. */
    public static Optional<String> aggregateTypeProblem(String type) {
        if (type == null) {
            return Optional.of("is required");
        }
        if (!isAggregateType(type)) {
            return Optional.of("must match " + AGGREGATE_TYPE_PATTERN.pattern());
        }
        return Optional.empty();
    }

    /**
     * Whether {@code type} matches {@link #AGGREGATE_TYPE_PATTERN}, checked character by character: the workers check
     * the type of every event they read, and the pattern's matcher cost them more than decoding the type did.
     */
    private static boolean isAggregateType(String type) {
        int length = type.length();
        if (length == 0 || length > AGGREGATE_TYPE_MAX_LENGTH || !isUpper(type.charAt(0))) {
            return false;
        }
        for (int i = 1; i < length; i++) {
            char c = type.charAt(i);
            if (!isUpper(c) && !(c >= 'a' && c <= 'z') && !(c >= '0' && c <= '9')) {
                return false;
            }
        }
        return true;
    }

    private static boolean isUpper(char c) {
        return c >= 'A' && c <= 'Z';
    }

    /** Why {@code id} is not a valid aggregate or command id, or empty when it is. */
    public static Optional<String> idProblem(String id) {
        if (id == null) {
            return Optional.of("is required");
        }
        if (id.isEmpty() || id.isBlank()) {
            return Optional.of("must not be empty or blank");
        }
        if (id.length() > ID_MAX_LENGTH) {
            return Optional.of("must be at most " + ID_MAX_LENGTH + " characters, was " + id.length());
        }
        if (id.equals(".") || id.equals("..")) {
            return Optional.of("must not be . or ..");
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            if (c == '/' || c == '\\') {
                return Optional.of("must not contain / or \\");
            }
            if (Character.isISOControl(c)) {
                return Optional.of("must not contain control characters");
            }
            if (Character.isSurrogate(c) && !isPairedSurrogate(id, i)) {
                return Optional.of("must be valid Unicode text");
            }
        }
        return Optional.empty();
    }

    /** Throws {@link InvalidNameException} unless {@code type} is a valid aggregate type. */
    public static void requireAggregateType(String type) {
        aggregateTypeProblem(type).ifPresent(problem -> {
            throw new InvalidNameException("aggregate type " + problem);
        });
    }

    /** Throws {@link InvalidNameException} unless {@code id} is a valid id; {@code what} names it in the message. */
    public static void requireId(String what, String id) {
        idProblem(id).ifPresent(problem -> {
            throw new InvalidNameException(what + " " + problem);
        });
    }

    private static boolean isPairedSurrogate(String s, int i) {
        char c = s.charAt(i);
        if (Character.isHighSurrogate(c)) {
            return i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
        }
        return i > 0 && Character.isHighSurrogate(s.charAt(i - 1));
    }
}
