package io.polyglot.runtime;

/** Kafka could not be reached or did not answer in time: retriable. */
public class KafkaUnavailableException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public KafkaUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
