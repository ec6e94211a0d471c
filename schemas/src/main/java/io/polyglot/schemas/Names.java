package io.polyglot.schemas;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The name rules of the design. Aggregate types are refused, never rewritten, when they do not match {@link
 * #AGGREGATE_TYPE_PATTERN}. Aggregate ids and command ids may hold any Unicode text (helpdesk ids have spaces) but no
 * control characters, nothing that could be read as a path, and not only characters that show nothing ({@link
 * #isBlank}).
 */
public final class Names {

    /** The rule for aggregate types. */
    public static final Pattern AGGREGATE_TYPE_PATTERN = Pattern.compile("^[A-Z][A-Za-z0-9]{0,63}$");

    /** Longest aggregate type, in characters: that of {@link #AGGREGATE_TYPE_PATTERN}. */
    private static final int AGGREGATE_TYPE_MAX_LENGTH = 64;

    /** Longest id, in characters (UTF-16 code units). */
    public static final int ID_MAX_LENGTH = 256;

    /**
     * The code points Unicode marks Default_Ignorable_Code_Point (DerivedCoreProperties.txt), as inclusive ranges:
     * a renderer shows nothing for them, whether it supports them or not. Among them the soft hyphen, the combining
     * grapheme joiner, the Hangul fillers, the Mongolian vowel separator and variation selectors, the zero-width
     * space, joiners and direction marks, the word joiner, the invisible operators, the byte order mark and the tags.
     */
    private static final int[] DEFAULT_IGNORABLE = {
        0x00AD, 0x00AD, 0x034F, 0x034F, 0x061C, 0x061C, 0x115F, 0x1160, 0x17B4, 0x17B5, 0x180B, 0x180F, 0x200B, 0x200F,
        0x202A, 0x202E, 0x2060, 0x206F, 0x3164, 0x3164, 0xFE00, 0xFE0F, 0xFEFF, 0xFEFF, 0xFFA0, 0xFFA0, 0xFFF0, 0xFFF8,
        0x1BCA0, 0x1BCA3, 0x1D173, 0x1D17A, 0xE0000, 0xE0FFF
    };

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
        if (isBlank(id)) {
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

    /**
     * Whether {@code text} shows nothing: it is empty, or each of its code points is white space ({@link
     * Character#isWhitespace}), a space separator ({@link Character#isSpaceChar}: the no-break spaces U+00A0, U+2007
     * and U+202F too, which {@link String#isBlank} takes for text) or a default-ignorable code point (U+200B to
     * U+200D, U+2060, U+FEFF, U+00AD, U+180E and the rest of {@link #DEFAULT_IGNORABLE}). One visible character among
     * them is enough for the text not to be blank; a lone surrogate counts as one, and the id rules refuse it apart.
     */
    public static boolean isBlank(String text) {
        for (int i = 0; i < text.length(); ) {
            int codePoint = text.codePointAt(i);
            if (!Character.isWhitespace(codePoint)
                    && !Character.isSpaceChar(codePoint)
                    && !isDefaultIgnorable(codePoint)) {
                return false;
            }
            i += Character.charCount(codePoint);
        }
        return true;
    }

    private static boolean isDefaultIgnorable(int codePoint) {
        for (int i = 0; i < DEFAULT_IGNORABLE.length; i += 2) {
            if (codePoint < DEFAULT_IGNORABLE[i]) {
                return false;
            }
            if (codePoint <= DEFAULT_IGNORABLE[i + 1]) {
                return true;
            }
        }
        return false;
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
