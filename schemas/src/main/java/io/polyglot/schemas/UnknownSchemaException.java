package io.polyglot.schemas;

/**
 * A record written with a schema this process does not know. A consumer looks the fingerprint up in the {@code
 * schemas} topic before calling the record poison.
 */
public class UnknownSchemaException extends UndecodableRecordException {

    private static final long serialVersionUID = 1L;

    private final long fingerprint;

    public UnknownSchemaException(long fingerprint) {
        super("no schema known for fingerprint " + KnownSchemas.hex(fingerprint));
        this.fingerprint = fingerprint;
    }

    /** The 64-bit Avro parsing fingerprint the record names. */
    public long fingerprint() {
        return fingerprint;
    }
}
