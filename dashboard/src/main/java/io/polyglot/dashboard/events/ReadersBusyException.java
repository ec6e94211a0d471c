package io.polyglot.dashboard.events;

/**
 * Every Kafka consumer of the events pages stayed busy with other requests for the whole of a read's timeout; the
 * request answers 503 with {@code Retry-After} rather than wait on.
 */
public final class ReadersBusyException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    ReadersBusyException(String message) {
        super(message);
    }
}
