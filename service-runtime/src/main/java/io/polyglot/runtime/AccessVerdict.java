package io.polyglot.runtime;

/**
 * What a {@link BearerToken} made of a request's {@code Authorization} headers: let through, or refused for one of
 * three reasons, each with the {@code WWW-Authenticate} challenge (RFC 6750) and a detail that never repeats what the
 * client sent.
 */
public enum AccessVerdict {
    /** The right token, or no token is configured. */
    ALLOWED(null, null),
    /** No {@code Authorization} header at all. */
    MISSING(BearerToken.CHALLENGE, "a bearer token is required: send Authorization: Bearer <POLYGLOT_TOKEN>"),
    /** Not exactly one header of the form {@code Bearer <token68>}. */
    MALFORMED(
            BearerToken.CHALLENGE,
            "the request must carry exactly one Authorization header of the form Bearer <POLYGLOT_TOKEN>"),
    /** A well-formed bearer token that is not the configured one. */
    WRONG(BearerToken.CHALLENGE + ", error=\"invalid_token\"", "the bearer token is not valid");

    private final String challenge;
    private final String detail;

    AccessVerdict(String challenge, String detail) {
        this.challenge = challenge;
        this.detail = detail;
    }

    /** Whether the request may go on. */
    public boolean allowed() {
        return this == ALLOWED;
    }

    /** The {@code WWW-Authenticate} value of a refusal. */
    public String challenge() {
        requireRefusal();
        return challenge;
    }

    /** The problem detail of a refusal. */
    public String detail() {
        requireRefusal();
        return detail;
    }

    private void requireRefusal() {
        if (allowed()) {
            throw new IllegalStateException("an allowed request has no challenge");
        }
    }
}
