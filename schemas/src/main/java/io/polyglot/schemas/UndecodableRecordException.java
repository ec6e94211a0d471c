package io.polyglot.schemas;

/** Bytes that are not a record this codec can decode: a poison record for whoever consumes it. */
public class UndecodableRecordException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public UndecodableRecordException(String message, Throwable cause) {
        super(message, cause);
    }

    public UndecodableRecordException(String message) {
        super(message);
    }
}
