package io.polyglot.runtime.deadletter;

import io.polyglot.runtime.KafkaUnavailableException;

/**
 * A dead letter could not be sent, or {@code events.dlq} could not be read, now: retriable. The caller must not treat
 * the source record as dealt with, and tries again later.
 */
public class DeadLetterUnavailableException extends KafkaUnavailableException {

    private static final long serialVersionUID = 1L;

    public DeadLetterUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
