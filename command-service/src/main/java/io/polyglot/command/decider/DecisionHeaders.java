package io.polyglot.command.decider;

import io.polyglot.command.intake.CommandPosition;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * The headers of a record on {@code commands.decisions} that name the command record it answers: its partition of
 * {@code commands} and its offset there, as UTF-8 decimal text. Two records of the same command (a retry sent while
 * the first is undecided) get decisions of their own, the first as made and the other replayed; these headers tell
 * each waiting request which one is its own.
 *
 * <p>They are headers, not fields of {@code CommandDecision}, so the decision's schema, and the decisions the store
 * keeps, stay as they were: a service of an earlier version reads these decisions as before, and this one reads the
 * decisions of an earlier version, which carry no such headers, as answering whichever request waits for them.
 */
public final class DecisionHeaders {

    /** The partition of {@code commands} holding the command record a decision answers. */
    public static final String COMMAND_PARTITION = "command.partition";

    /** The offset of that command record within its partition. */
    public static final String COMMAND_OFFSET = "command.offset";

    private DecisionHeaders() {}

    /** Adds the headers naming the command record at {@code partition} and {@code offset}. */
    static void write(Headers headers, int partition, long offset) {
        headers.add(COMMAND_PARTITION, Integer.toString(partition).getBytes(StandardCharsets.UTF_8));
        headers.add(COMMAND_OFFSET, Long.toString(offset).getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The command record a decision answers; null when its headers do not name one (a decider of an earlier version)
     * or name it unreadably.
     */
    public static CommandPosition answered(Headers headers) {
        Header partition = headers.lastHeader(COMMAND_PARTITION);
        Header offset = headers.lastHeader(COMMAND_OFFSET);
        if (partition == null || offset == null || partition.value() == null || offset.value() == null) {
            return null;
        }
        try {
            return new CommandPosition(
                    Integer.parseInt(new String(partition.value(), StandardCharsets.UTF_8)),
                    Long.parseLong(new String(offset.value(), StandardCharsets.UTF_8)));
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
