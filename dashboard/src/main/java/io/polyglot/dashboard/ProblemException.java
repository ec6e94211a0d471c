package io.polyglot.dashboard;

/**
 * A request the dashboard answers with an {@code application/problem+json} body other than a view's: bad input (400),
 * a conflict with what runs already (409), a worker that does not answer (502) or a feature that is off (503).
 */
public final class ProblemException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int status;
    private final String type;
    private final String title;
    private final String parameter;

    private ProblemException(int status, String type, String title, String detail, String parameter) {
        super(detail);
        this.status = status;
        this.type = type;
        this.title = title;
        this.parameter = parameter;
    }

    /** 400 {@code invalid-parameter}: {@code parameter} of the request cannot be honoured. */
    public static ProblemException badParameter(String parameter, String detail) {
        return new ProblemException(400, "invalid-parameter", "Invalid parameter", detail, parameter);
    }

    /**
     * 400 {@code bad-request}: the request itself cannot be read, e.g. a path whose escapes are not UTF-8; the type
     * the command service gives the same faults.
     */
    public static ProblemException badRequest(String detail) {
        return new ProblemException(400, "bad-request", "Bad request", detail, null);
    }

    /** 400 {@code malformed-request}: the body is not what its content type says, e.g. a multipart form cut off. */
    public static ProblemException malformed(String detail) {
        return new ProblemException(400, "malformed-request", "Malformed request", detail, null);
    }

    /** 409 {@code conflict}: the request collides with something that runs already. */
    public static ProblemException conflict(String detail) {
        return new ProblemException(409, "conflict", "Conflict", detail, null);
    }

    /** 413 {@code payload-too-large}: an upload over the limit. */
    public static ProblemException tooLarge(String detail) {
        return new ProblemException(413, "payload-too-large", "Payload too large", detail, null);
    }

    /** 502 {@code worker-unreachable}: a worker the request needs did not answer. */
    public static ProblemException unreachable(String detail) {
        return new ProblemException(502, "worker-unreachable", "Worker unreachable", detail, null);
    }

    /** 503 {@code unavailable}: the feature is off in this dashboard's settings. */
    public static ProblemException unavailable(String detail) {
        return new ProblemException(503, "unavailable", "Unavailable", detail, null);
    }

    public int status() {
        return status;
    }

    public String type() {
        return type;
    }

    public String title() {
        return title;
    }

    /** The request parameter at fault, or null. */
    public String parameter() {
        return parameter;
    }
}
