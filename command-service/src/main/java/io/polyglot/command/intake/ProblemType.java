package io.polyglot.command.intake;

/**
 * The machine-readable kinds of refusal the command service answers with, each with its stable
 * {@code urn:polyglot:problem:} name, a short title and the HTTP status it travels with.
 *
 * <p>Field and shape problems answer {@code 400}, the same as malformed JSON: the client sent something it must
 * change, and one status for every such mistake keeps clients simple.
 */
public enum ProblemType {
    MALFORMED_JSON("malformed-json", "Malformed JSON", 400),
    INVALID_COMMAND("invalid-command", "Invalid command", 400),
    UNKNOWN_COMMAND_TYPE("unknown-command-type", "Unknown command type", 400),
    PAYLOAD_TOO_LARGE("payload-too-large", "Payload too large", 413),
    VERSION_CONFLICT("version-conflict", "Version conflict", 409),
    RULE_VIOLATED("rule-violated", "Rule violated", 409),
    COMMAND_ID_REUSED("command-id-reused", "Command id reused", 409),
    KAFKA_UNAVAILABLE("kafka-unavailable", "Kafka unavailable", 503),
    UNAUTHORIZED("unauthorized", "Unauthorized", 401),
    NOT_FOUND("not-found", "Not found", 404),
    METHOD_NOT_ALLOWED("method-not-allowed", "Method not allowed", 405),
    UNSUPPORTED_MEDIA_TYPE("unsupported-media-type", "Unsupported media type", 415),
    REQUEST_TIMEOUT("request-timeout", "Request timeout", 408),
    HEADERS_TOO_LARGE("headers-too-large", "Request headers too large", 431),
    BAD_REQUEST("bad-request", "Bad request", 400),
    INTERNAL_ERROR("internal-error", "Internal error", 500);

    private static final String PREFIX = "urn:polyglot:problem:";

    private final String slug;
    private final String title;
    private final int status;

    ProblemType(String slug, String title, int status) {
        this.slug = slug;
        this.title = title;
        this.status = status;
    }

    /** The short name, e.g. {@code invalid-command}. */
    public String slug() {
        return slug;
    }

    /** The full type URI, e.g. {@code urn:polyglot:problem:invalid-command}. */
    public String uri() {
        return PREFIX + slug;
    }

    public String title() {
        return title;
    }

    public int status() {
        return status;
    }
}
