package io.polyglot.command.decider;

import io.polyglot.command.avro.AggregateHead;
import io.polyglot.command.avro.CommandDecision;
import io.polyglot.command.avro.CommandRecord;
import io.polyglot.schemas.UndecodableRecordException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.avro.util.ClassSecurityValidator;
import org.apache.avro.util.ClassSecurityValidator.ClassSecurityPredicate;

/**
 * The decider's own records in Avro single-object encoding: commands on {@code commands}, decisions on
 * {@code commands.decisions} and in the command id store, aggregate heads in the head store.
 *
 * <p>Avro 1.12 decodes only into classes it trusts; loading this class adds the generated package
 * {@code io.polyglot.command.avro} to the trusted set, keeping whatever the process trusted before.
 */
public final class DeciderRecords {

    private static final String GENERATED_PACKAGE = "io.polyglot.command.avro";

    static {
        ClassSecurityPredicate existing = ClassSecurityValidator.getGlobal();
        ClassSecurityValidator.setGlobal(
                type -> (type.getPackage() != null && type.getPackageName().equals(GENERATED_PACKAGE))
                        || existing.isTrusted(type));
    }

    private DeciderRecords() {}

    /** @throws UndecodableRecordException when the bytes are not a command */
    public static CommandRecord command(byte[] bytes) {
        try {
            return CommandRecord.fromByteBuffer(ByteBuffer.wrap(bytes));
        } catch (IOException | AvroRuntimeException e) {
            throw new UndecodableRecordException("the record is not a command in single-object encoding", e);
        }
    }

    /** @throws UndecodableRecordException when the bytes are not a decision */
    public static CommandDecision decision(byte[] bytes) {
        try {
            return CommandDecision.fromByteBuffer(ByteBuffer.wrap(bytes));
        } catch (IOException | AvroRuntimeException e) {
            throw new UndecodableRecordException("the record is not a command decision in single-object encoding", e);
        }
    }

    /** @throws UndecodableRecordException when the bytes are not an aggregate head */
    public static AggregateHead head(byte[] bytes) {
        try {
            return AggregateHead.fromByteBuffer(ByteBuffer.wrap(bytes));
        } catch (IOException | AvroRuntimeException e) {
            throw new UndecodableRecordException("the record is not an aggregate head in single-object encoding", e);
        }
    }

    /** One of the decider's records in single-object encoding. */
    public static byte[] encode(SpecificRecordBase record) {
        try {
            ByteBuffer buffer;
            if (record instanceof CommandRecord command) {
                buffer = command.toByteBuffer();
            } else if (record instanceof CommandDecision decision) {
                buffer = decision.toByteBuffer();
            } else if (record instanceof AggregateHead head) {
                buffer = head.toByteBuffer();
            } else {
                throw new IllegalArgumentException(
                        "not a record of the decider: " + record.getSchema().getFullName());
            }
            byte[] bytes = new byte[buffer.remaining()];
            buffer.get(bytes);
            return bytes;
        } catch (IOException e) {
            throw new UncheckedIOException("encoding " + record.getSchema().getFullName() + " failed", e);
        }
    }
}
