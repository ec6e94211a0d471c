package io.polyglot.command.intake;

import io.polyglot.command.avro.AggregateHead;
import io.polyglot.command.avro.CommandDecision;
import java.net.URI;
import java.util.List;
import java.util.Optional;

/** Where the HTTP layer learns what the decider made of commands, and reads the head of an aggregate. */
public interface DecisionBoard {

    /**
     * A waiter of its own for the decision of the command {@code commandId} whose body hashes to {@code bodyHash}.
     * Two commands that reuse one id with different bodies are told apart by the hash, so each is answered with its
     * own decision (one of them {@code COMMAND_ID_REUSED}), never with the other's. The decider gives a replayed
     * decision the hash of the retry it answers, so a retry whose canonical hash is not the first command's (one sent
     * after the upgrade of a command decided before it) is answered too. Two records of the same command (a retry
     * sent while the first is undecided) are told apart by where they are stored: once {@link #appended} gives the
     * waiter its record's position, it completes with the decision of that record alone (see {@link DecisionWaiter}).
     * Register before appending the command, so that a fast decision is not missed; {@link #stopWaiting} when giving
     * up.
     */
    DecisionWaiter awaitDecision(String commandId, String bodyHash);

    /** Drops a waiter registered by {@link #awaitDecision}, and no other waiter of the same command. */
    void stopWaiting(DecisionWaiter waiter);

    /**
     * Notes that the waiter's command is durably appended at {@code position} and not decided yet, for
     * {@link #isPending}, and gives the waiter its record's position.
     */
    void appended(DecisionWaiter waiter, CommandPosition position);

    /**
     * The kept first decision of {@code commandId} in the partitions this instance decides now; empty when unknown,
     * expired, or kept by a partition another instance decides.
     */
    Optional<CommandDecision> decided(String commandId);

    /** Whether {@code commandId} was appended through this instance and is not decided yet. */
    boolean isPending(String commandId);

    /** The head of an aggregate whose partition this instance owns, empty when it does not exist. */
    Optional<AggregateHead> head(String aggregateType, String aggregateId);

    /**
     * The base URI ({@code http://host:port}) of the other instance that owns the aggregate's partition; empty when
     * this instance owns it, or when no other instance is known to.
     */
    Optional<URI> ownerOf(String aggregateId);

    /** The base URIs of every other instance of the service, for reads that cannot tell the owner from the key. */
    List<URI> otherInstances();

    /**
     * Whether every partition of {@code commands} is given to some instance now. While one is not (a rebalance moves
     * it between instances), no instance reads its decisions, so a command that none finds may still be kept there.
     */
    boolean everyPartitionAssigned();
}
