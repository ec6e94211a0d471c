package io.polyglot.command.http;

import io.polyglot.command.intake.ProblemType;

/** Which problem type stands for an HTTP status that a route did not choose itself. */
final class ProblemStatus {

    private ProblemStatus() {}

    static ProblemType typeOf(int status) {
        return switch (status) {
            case 404 -> ProblemType.NOT_FOUND;
            case 405 -> ProblemType.METHOD_NOT_ALLOWED;
            case 408 -> ProblemType.REQUEST_TIMEOUT;
            case 413 -> ProblemType.PAYLOAD_TOO_LARGE;
            case 415 -> ProblemType.UNSUPPORTED_MEDIA_TYPE;
            case 431 -> ProblemType.HEADERS_TOO_LARGE;
            default -> status >= 500 ? ProblemType.INTERNAL_ERROR : ProblemType.BAD_REQUEST;
        };
    }
}
