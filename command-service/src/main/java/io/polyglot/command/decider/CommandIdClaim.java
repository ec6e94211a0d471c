package io.polyglot.command.decider;

import io.polyglot.command.avro.CommandDecision;
import io.polyglot.command.avro.CommandRecord;
import io.polyglot.schemas.UndecodableRecordException;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * What topic {@code commands.ids} holds for one command id: the aggregate the id was first decided for and the hash of
 * that command's body. It is what lets the task of one partition refuse an id that the task of another partition
 * already decided.
 *
 * <p>Every instance restores the whole topic into its global store before it decides anything, so the value is kept
 * as small as it can be while still naming the first aggregate: the body hash, a line feed, then the aggregate's head
 * key ({@code aggregateType/aggregateId}), in UTF-8. Neither part can hold a line feed: the hash is hexadecimal and
 * names refuse control characters.
 *
 * <p>A claim holds the body hash its command came with: the canonical hash, or, for a command decided before the
 * canonical form, the hash of its JSON as sent. A command is the claimed one when either of its hashes is the
 * claim's, so a retry sent after the upgrade of a command decided before it is still a retry.
 *
 * @param aggregateKey the first aggregate's key, as {@link DeciderTopology#headKey}
 * @param bodyHash the hash of the first command's body
 */
public record CommandIdClaim(String aggregateKey, String bodyHash) {

    private static final char SEPARATOR = '\n';

    public CommandIdClaim {
        Objects.requireNonNull(aggregateKey, "aggregateKey");
        Objects.requireNonNull(bodyHash, "bodyHash");
        if (bodyHash.indexOf(SEPARATOR) >= 0) {
            throw new IllegalArgumentException("a body hash has no line feed");
        }
    }

    /** The claim a command makes on its id once it is decided. */
    public static CommandIdClaim of(CommandRecord command) {
        return new CommandIdClaim(
                DeciderTopology.headKey(command.getAggregateType(), command.getAggregateId()), command.getBodyHash());
    }

    /** The claim a kept decision stands for. */
    public static CommandIdClaim of(CommandDecision decision) {
        return new CommandIdClaim(
                DeciderTopology.headKey(decision.getAggregateType(), decision.getAggregateId()),
                decision.getBodyHash());
    }

    /**
     * Whether {@code command} is the command this id was claimed by: the same aggregate and the same body, by its
     * canonical hash or by the hash of its JSON as sent.
     */
    public boolean isFor(CommandRecord command) {
        return aggregateKey.equals(DeciderTopology.headKey(command.getAggregateType(), command.getAggregateId()))
                && (bodyHash.equals(command.getBodyHash()) || bodyHash.equals(command.getBodyHashAsSent()));
    }

    /** The record value on {@code commands.ids}. */
    public byte[] encode() {
        return (bodyHash + SEPARATOR + aggregateKey).getBytes(StandardCharsets.UTF_8);
    }

    /** @throws UndecodableRecordException when the bytes are not a claim */
    public static CommandIdClaim decode(byte[] bytes) {
        String text = new String(bytes, StandardCharsets.UTF_8);
        int separator = text.indexOf(SEPARATOR);
        if (separator <= 0 || separator == text.length() - 1) {
            throw new UndecodableRecordException("the record is not a command id claim (body hash, line feed, key)");
        }
        return new CommandIdClaim(text.substring(separator + 1), text.substring(0, separator));
    }
}
