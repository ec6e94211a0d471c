package io.polyglot.command.decider;

import io.polyglot.command.avro.AggregateHead;
import io.polyglot.command.avro.CommandDecision;
import io.polyglot.command.avro.CommandRecord;
import io.polyglot.schemas.SingleObjectFormat;
import io.polyglot.schemas.UndecodableRecordException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.avro.util.ClassSecurityValidator;
import org.apache.avro.util.ClassSecurityValidator.ClassSecurityPredicate;

/**
 * The decider's own records in Avro single-object encoding: commands on {@code commands}, decisions on
 * {@code commands.decisions} and in the command id store, aggregate heads in the head store.
 *
 * <p>Every version of these records ever released is kept on the class path as
 * {@code released/{fullName}-{n}.avsc}, numbered from 1; a record written with an earlier version, by an instance not
 * upgraded yet or before an upgrade (a command still on {@code commands}, a decision in a store's changelog), is read
 * with its own version and resolved to this build's, a field added since taking its default.
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

    private static final String RELEASED = "/released/";

    private static final SingleObjectFormat<CommandRecord> COMMANDS =
            format(CommandRecord.class, CommandRecord.getClassSchema());
    private static final SingleObjectFormat<CommandDecision> DECISIONS =
            format(CommandDecision.class, CommandDecision.getClassSchema());
    private static final SingleObjectFormat<AggregateHead> HEADS =
            format(AggregateHead.class, AggregateHead.getClassSchema());

    private DeciderRecords() {}

    private static <T extends SpecificRecord> SingleObjectFormat<T> format(Class<T> type, Schema schema) {
        return SingleObjectFormat.of(SpecificData.getForClass(type), schema, released(schema.getFullName()));
    }

    /** Every released version of the record {@code fullName}, the first first. */
    static List<Schema> released(String fullName) {
        List<Schema> versions = new ArrayList<>();
        for (int n = 1; ; n++) {
            String name = RELEASED + fullName + "-" + n + ".avsc";
            try (InputStream in = DeciderRecords.class.getResourceAsStream(name)) {
                if (in == null) {
                    return versions;
                }
                versions.add(new Schema.Parser().parse(in));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + name + " from the class path", e);
            }
        }
    }

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
