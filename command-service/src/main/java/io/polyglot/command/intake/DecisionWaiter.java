package io.polyglot.command.intake;

import io.polyglot.command.avro.CommandDecision;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One request waiting for the decision of its own command record.
 *
 * <p>Several records can hold the same command (command id and body hash): a retry sent while the first is still
 * undecided, or one line twice in a batch. The decider decides each, the first as made and the others replayed, and
 * names on each decision the record it answers. A request registers its waiter before it appends its command, so that
 * a fast decision is not missed, but learns where its record is stored only from Kafka's acknowledgement; until then
 * the waiter keeps the decisions published for its command, and once it knows its position it takes the decision of
 * its own record and ignores those of the others. Taking the first decision published instead would answer a retry
 * with the first request's decision, unmarked, and leave the replayed one unread.
 *
 * <p>A decision that names no record comes from a decider of an earlier version; it answers the waiter it meets, as
 * it did with that version.
 *
 * <p>The feed of decisions calls {@link #takes} and {@link #answer}, the request's thread {@link #appendedAt}. Each
 * waiter guards its own state, so requests share no lock; its future is completed outside that guard, so whatever
 * waits on it never runs while the guard is held.
 */
public final class DecisionWaiter {

    private final String commandId;
    private final String bodyHash;
    private final CompletableFuture<CommandDecision> decision = new CompletableFuture<>();

    /** Where the request's record is stored; null until Kafka acknowledged it. */
    private CommandPosition position;

    /** The decision that answers this request, once known; the future is completed with it. */
    private CommandDecision own;

    /** Decisions of the same command published before the position was known, with the records they answer. */
    private List<Published> early;

    private record Published(CommandDecision decision, CommandPosition answers) {}

    public DecisionWaiter(String commandId, String bodyHash) {
        this.commandId = commandId;
        this.bodyHash = bodyHash;
    }

    public String commandId() {
        return commandId;
    }

    public String bodyHash() {
        return bodyHash;
    }

    /** Completes with the decision of this request's own record; cancelled when the service closes. */
    public CompletableFuture<CommandDecision> decision() {
        return decision;
    }

    /**
     * Whether {@code published}, a decision of this waiter's command that answers the record at {@code answers} (null
     * when the decision does not say), is this request's own. When it is, the waiter keeps it, and {@link #answer}
     * completes the future with it; the caller stops offering this waiter decisions. A decision of another record is
     * kept only while this request's position is unknown.
     */
    public synchronized boolean takes(CommandDecision published, CommandPosition answers) {
        if (own != null) {
            return true;
        }
        if (answers == null || answers.equals(position)) {
            own = published;
            return true;
        }
        if (position == null) {
            if (early == null) {
                early = new ArrayList<>(2);
            }
            early.add(new Published(published, answers));
        }
        return false;
    }

    /** Completes the future with the decision {@link #takes} kept; nothing when it kept none. */
    public void answer() {
        CommandDecision answer;
        synchronized (this) {
            answer = own;
        }
        if (answer != null) {
            decision.complete(answer);
        }
    }

    /**
     * Tells the waiter where Kafka stored its record. Returns whether this request is answered already, by a decision
     * that came before the acknowledgement: the future is then complete, and the caller stops offering this waiter
     * decisions.
     */
    public boolean appendedAt(CommandPosition stored) {
        synchronized (this) {
            position = stored;
            if (own == null && early != null) {
                for (Published published : early) {
                    if (stored.equals(published.answers())) {
                        own = published.decision();
                        break;
                    }
                }
            }
            early = null;
            if (own == null) {
                return false;
            }
        }
        answer();
        return true;
    }
}
