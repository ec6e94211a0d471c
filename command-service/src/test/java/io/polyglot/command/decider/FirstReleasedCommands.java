package io.polyglot.command.decider;

import io.polyglot.command.avro.CommandRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;

/**
 * Commands as the versions before the canonical body hash put them on {@code commands}: in the first released
 * version of {@code CommandRecord}, whose only hash is that of the JSON as sent, in its {@code bodyHash}.
 */
public final class FirstReleasedCommands {

    /** The first released version of {@code CommandRecord}, as the class path keeps it for the decider. */
    public static final Schema SCHEMA = DeciderRecords.released(
                    CommandRecord.getClassSchema().getFullName())
            .get(0);

    private FirstReleasedCommands() {}

    /**
     * {@code command} in single-object encoding with the first released schema; its {@code bodyHashAsSent}, which
     * that version did not have, is left behind.
     */
    public static byte[] encode(CommandRecord command) {
        GenericRecord old = new GenericData.Record(SCHEMA);
        for (Schema.Field field : SCHEMA.getFields()) {
            old.put(field.name(), command.get(field.name()));
        }
        try {
            ByteBuffer encoded = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), SCHEMA).encode(old);
            byte[] bytes = new byte[encoded.remaining()];
            encoded.get(bytes);
            return bytes;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
