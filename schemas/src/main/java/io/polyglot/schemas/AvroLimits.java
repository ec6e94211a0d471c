package io.polyglot.schemas;

import org.apache.avro.SystemLimitException;

/**
 * Avro's process-wide bounds on the length of a string or byte array it reads, set to what a record of this pipeline
 * can hold. Avro reads such a length before the bytes, and a decoder over a stream allocates the array first; left at
 * Avro's defaults (about 2 GiB) a corrupt length in a record of a few bytes would allocate that much, and a worker
 * with a 256 MiB heap would die of the record instead of dead-lettering it.
 *
 * <p>Avro reads the bounds once, when it first checks a length, so every path that builds an Avro reader calls
 * {@link #install()} before it decodes. A bound the process already set (a {@code -D} option) is kept.
 */
public final class AvroLimits {

    /** The longest string or byte array read: a whole record at the largest {@code COMMAND_MAX_BYTES}. */
    public static final int MAX_LENGTH = Limits.recordMaxBytes(Limits.COMMAND_MAX_BYTES_UPPER_BOUND);

    private AvroLimits() {}

    /** Sets Avro's string and bytes bounds to {@link #MAX_LENGTH} unless the process set them already. */
    public static synchronized void install() {
        for (String property : new String[] {
            SystemLimitException.MAX_STRING_LENGTH_PROPERTY, SystemLimitException.MAX_BYTES_LENGTH_PROPERTY
        }) {
            if (System.getProperty(property) == null) {
                System.setProperty(property, Integer.toString(MAX_LENGTH));
            }
        }
    }
}
