package io.polyglot.command.decider;

import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The command ids this instance's tasks claimed that its global store has not copied back from {@code commands.ids}
 * yet: what closes, between the partitions of one instance, the window between deciding an id and the global store
 * knowing it.
 *
 * <p>An entry is added when a task keeps a new decision, before its transaction commits, and removed when the global
 * store copies any record of that id. It can only ever refuse an id, never let one through, and it never refuses an
 * id that is free: a transaction that aborts after adding its entry is redone from the same command, which either
 * claims the id again, and the copy of that claim removes the entry, or is refused because another command holds the
 * id, and then the entry stands for an id that is taken anyway, until the tombstone that frees it. Entries otherwise
 * live for about one commit interval, so the map stays as small as the commands in flight.
 */
final class ClaimsInFlight {

    private final ConcurrentMap<String, CommandIdClaim> claims = new ConcurrentHashMap<>();

    /** A task of this instance kept a new decision for {@code commandId}. */
    void claimed(String commandId, CommandIdClaim claim) {
        claims.put(commandId, claim);
    }

    /** The global store copied a record of {@code commandId}: from here on it answers for the id. */
    void copied(String commandId) {
        claims.remove(commandId);
    }

    /** The claim on {@code commandId} not copied yet, if any. */
    Optional<CommandIdClaim> claim(String commandId) {
        return Optional.ofNullable(claims.get(commandId));
    }
}
