package io.polyglot.command.decider;

import io.polyglot.command.avro.AggregateHead;
import io.polyglot.command.avro.CommandDecision;
import io.polyglot.command.avro.CommandRecord;
import io.polyglot.schemas.SingleObjectFormat;
import io.polyglot.schemas.UndecodableRecordException;
import org.apache.avro.specific.SpecificData;
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

    private static final SingleObjectFormat<CommandRecord> COMMANDS =
            SingleObjectFormat.of(SpecificData.getForClass(CommandRecord.class), CommandRecord.getClassSchema());
    private static final SingleObjectFormat<CommandDecision> DECISIONS =
            SingleObjectFormat.of(SpecificData.getForClass(CommandDecision.class), CommandDecision.getClassSchema());
    private static final SingleObjectFormat<AggregateHead> HEADS =
            SingleObjectFormat.of(SpecificData.getForClass(AggregateHead.class), AggregateHead.getClassSchema());

    private DeciderRecords() {}

    /** @throws UndecodableRecordException when the bytes are not a command */
    public static CommandRecord command(byte[] bytes) {
        return COMMANDS.decode(bytes);
    }

    /** @throws UndecodableRecordException when the bytes are not a decision */
    public static CommandDecision decision(byte[] bytes) {
        return DECISIONS.decode(bytes);
    }

    /** @throws UndecodableRecordException when the bytes are not an aggregate head */
    public static AggregateHead head(byte[] bytes) {
        return HEADS.decode(bytes);
    }

    /** One of the decider's records in single-object encoding, the same bytes as its {@code toByteBuffer()}. */
    public static byte[] encode(SpecificRecordBase record) {
        if (record instanceof CommandRecord command) {
            return COMMANDS.encode(command);
        } else if (record instanceof CommandDecision decision) {
            return DECISIONS.encode(decision);
        } else if (record instanceof AggregateHead head) {
            return HEADS.encode(head);
        }
        throw new IllegalArgumentException(
                "not a record of the decider: " + record.getSchema().getFullName());
    }
}
