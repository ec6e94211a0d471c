package io.polyglot.bench;

/** A stage could not measure what it measures: the report says why, and the bench exits non-zero. */
final class StageFailedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    StageFailedException(String message) {
        super(message);
    }

    StageFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
