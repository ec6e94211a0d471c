package io.polyglot.runtime;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The one secret a caller of a service shows in {@code Authorization: Bearer <token>} (RFC 6750). It is compared in
 * constant time, and neither it nor what a client sent is ever part of a message, a log line or {@link #toString()}.
 */
public final class BearerToken {

    /** The challenge every refusal carries. */
    static final String CHALLENGE = "Bearer realm=\"polyglot\"";

    /** The {@code token68} form of RFC 7235; a token outside it could not travel in a header unchanged. */
    private static final Pattern TOKEN68 = Pattern.compile("[A-Za-z0-9\\-._~+/]+=*");

    private static final int MIN_LENGTH = 16;
    private static final String SCHEME = "bearer";

    private final byte[] digest;

    private BearerToken(byte[] digest) {
        this.digest = digest;
    }

    /**
     * The token a service expects.
     *
     * @throws IllegalArgumentException when it is shorter than 16 characters or not in the {@code token68} form; the
     *     message never contains the token
     */
    public static BearerToken of(String token) {
        if (token.length() < MIN_LENGTH) {
            throw new IllegalArgumentException("a token needs at least " + MIN_LENGTH + " characters");
        }
        if (!TOKEN68.matcher(token).matches()) {
            throw new IllegalArgumentException("a token may hold only letters, digits and -._~+/ (then = padding)");
        }
        return new BearerToken(sha256(token));
    }

    /**
     * The verdict on the values of every {@code Authorization} header of a request, in the order they came. The
     * scheme is matched without regard to case (RFC 7235); exactly one header is accepted.
     */
    public AccessVerdict check(List<String> authorizationHeaders) {
        if (authorizationHeaders.isEmpty()) {
            return AccessVerdict.MISSING;
        }
        if (authorizationHeaders.size() > 1) {
            return AccessVerdict.MALFORMED;
        }
        String value = authorizationHeaders.get(0).strip();
        int space = value.indexOf(' ');
        if (space < 0 || !value.substring(0, space).toLowerCase(Locale.ROOT).equals(SCHEME)) {
            return AccessVerdict.MALFORMED;
        }
        String presented = value.substring(space + 1).strip();
        if (!TOKEN68.matcher(presented).matches()) {
            return AccessVerdict.MALFORMED;
        }
        // Digests of equal length make the comparison's time independent of where, or whether, the tokens differ.
        return MessageDigest.isEqual(digest, sha256(presented)) ? AccessVerdict.ALLOWED : AccessVerdict.WRONG;
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    @Override
    public String toString() {
        return "BearerToken[****]";
    }
}
