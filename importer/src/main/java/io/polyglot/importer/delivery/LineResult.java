package io.polyglot.importer.delivery;

import io.polyglot.importer.command.PendingCommand;
import java.util.Objects;

/**
 * The command service's answer for one command of a batch.
 *
 * @param command the command sent
 * @param status what the command service said about it
 * @param problem why it was rejected; {@code null} unless {@link Status#REJECTED}
 * @param replayed whether an accepted command had been decided by an earlier request, so its events were recorded
 *     then and nothing now
 */
public record LineResult(PendingCommand command, Status status, Problem problem, boolean replayed) {

    /** What became of one command. */
    public enum Status {
        /** The decider accepted it and produced its events. */
        ACCEPTED,
        /** It was rejected, by the command service's checks or by the decider. */
        REJECTED,
        /** It is durably in Kafka, but its decision did not arrive within the command service's decision wait. */
        PENDING
    }

    /** Checks that a problem comes with a rejection and only with one. */
    public LineResult {
        Objects.requireNonNull(command, "command");
        Objects.requireNonNull(status, "status");
        if ((status == Status.REJECTED) != (problem != null)) {
            throw new IllegalArgumentException("a problem goes with a rejection and only with one, not with " + status);
        }
        if (replayed && status != Status.ACCEPTED) {
            throw new IllegalArgumentException("only an accepted command is replayed, not a " + status + " one");
        }
    }

    /** The command was accepted. */
    public static LineResult accepted(PendingCommand command) {
        return new LineResult(command, Status.ACCEPTED, null, false);
    }

    /** The command was accepted by an earlier request; this answer repeats that decision. */
    public static LineResult acceptedEarlier(PendingCommand command) {
        return new LineResult(command, Status.ACCEPTED, null, true);
    }

    /** The command was rejected for {@code problem}. */
    public static LineResult rejected(PendingCommand command, Problem problem) {
        return new LineResult(command, Status.REJECTED, problem, false);
    }

    /** The command is in Kafka but not decided yet. */
    public static LineResult pending(PendingCommand command) {
        return new LineResult(command, Status.PENDING, null, false);
    }

    /** Whether the command service accepted the command. */
    public boolean accepted() {
        return status == Status.ACCEPTED;
    }

    /** Whether the command was still undecided when the answer came. */
    public boolean pending() {
        return status == Status.PENDING;
    }

    /** Whether sending the same command again may give another answer: pending, or rejected for a transient cause. */
    public boolean worthSendingAgain() {
        return pending() || (status == Status.REJECTED && problem.isTransient());
    }
}
