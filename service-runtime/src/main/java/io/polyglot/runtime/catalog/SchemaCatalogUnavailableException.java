package io.polyglot.runtime.catalog;

import io.polyglot.runtime.KafkaUnavailableException;

/**
 * The {@code schemas} topic could not be read when a fingerprint was missing: retriable. Nothing may be called a
 * poison record because of it; the caller tries again later.
 */
public class SchemaCatalogUnavailableException extends KafkaUnavailableException {

    private static final long serialVersionUID = 1L;

    public SchemaCatalogUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
