package io.polyglot.schemas;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Set;

/**
 * The one function that turns a name into a segment of a file path or an object key.
 *
 * <p>A valid aggregate type is returned unchanged. Anything else is percent-encoded byte by byte over its UTF-8 form,
 * keeping only {@code A-Z a-z 0-9 _ -}, so the result can never be {@code .}, {@code ..}, hold a separator, a control
 * character or a look-alike letter, and two different inputs always give two different segments. Windows device
 * names such as {@code con} get their first letter escaped. An empty name becomes {@code %}, which no other input
 * produces. A segment longer than {@link #MAX_LENGTH} keeps a readable prefix followed by {@code ~} and the SHA-256 of
 * the whole name; {@code ~} never appears otherwise, so shortened segments cannot meet unshortened ones.
 */
public final class SafeSegment {

    /** Longest segment produced, well under the 255 bytes most file systems allow for a file name. */
    public static final int MAX_LENGTH = 200;

    private static final Set<String> DEVICE_NAMES = Set.of(
            "CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8", "COM9", "LPT1",
            "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9");

    private static final int DIGEST_HEX_LENGTH = 64;

    private SafeSegment() {}

    /** The safe, distinct segment for {@code name}. */
    public static String of(String name) {
        if (name == null) {
            throw new IllegalArgumentException("a segment needs a name, got null");
        }
        if (Names.aggregateTypeProblem(name).isEmpty()) {
            return name;
        }
        if (name.isEmpty()) {
            return "%";
        }
        String encoded = percentEncode(name);
        if (DEVICE_NAMES.contains(encoded.toUpperCase(Locale.ROOT))) {
            encoded = escape((byte) encoded.charAt(0)) + encoded.substring(1);
        }
        if (encoded.length() <= MAX_LENGTH) {
            return encoded;
        }
        return shortened(encoded, name);
    }

    private static String percentEncode(String name) {
        byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        StringBuilder out = new StringBuilder(bytes.length * 3);
        for (byte b : bytes) {
            if (isKept(b)) {
                out.append((char) b);
            } else {
                out.append(escape(b));
            }
        }
        return out.toString();
    }

    private static boolean isKept(byte b) {
        return (b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z') || (b >= '0' && b <= '9') || b == '_' || b == '-';
    }

    private static String escape(byte b) {
        return "%" + HexFormat.of().withUpperCase().toHexDigits(b);
    }

    private static String shortened(String encoded, String name) {
        int prefixLength = MAX_LENGTH - DIGEST_HEX_LENGTH - 1;
        // Never cut an escape in half: back up to the start of a %XX triple.
        int cut = prefixLength;
        int lastPercent = encoded.lastIndexOf('%', cut - 1);
        if (lastPercent >= 0 && lastPercent > cut - 3) {
            cut = lastPercent;
        }
        return encoded.substring(0, cut) + "~" + sha256Hex(name);
    }

    private static String sha256Hex(String name) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(digest.digest(name.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
