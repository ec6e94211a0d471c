package io.polyglot.projection;

import io.polyglot.runtime.deadletter.DeadLetterSource;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The database side of a rebuild: copies of the read model's tables that a rebuild fills from the start of the log
 * while the live tables keep serving, and the one transaction that swaps them in. The rebuild's only door to the
 * database, so the code that reads Kafka never sees SQL.
 */
public interface ReadModelRebuild extends AutoCloseable {

    /** The views a rebuild can rebuild, each with the tables behind it registered. */
    List<String> views();

    /**
     * Takes the rebuild lock of the database for as long as this object is open.
     *
     * @return false when another rebuild holds it
     */
    boolean tryLock();

    /** Creates empty copies of every table behind the read model, dropping those an earlier rebuild left. */
    void prepareCopies();

    /** A store that writes into the copies; its batches carry no offset advances. */
    ReadModelStore copies();

    /** The stored next offsets of the live consumer group, per partition that has one; read without locking. */
    Map<Integer, Long> storedOffsets(String topic);

    /**
     * In one transaction: locks the live group's stored offsets against every writer, lets {@code catchUpTo} bring the
     * copies to exactly those offsets, compares the copies with the live tables, then swaps in the copies of the
     * tables behind {@code views}, recreates every view that reads them, and drops the other copies.
     *
     * @param catchUpTo given the locked offsets (partitions with none stored are absent), applies the events before
     *     them to the copies; returns when it has
     * @throws SwapBlocked when the views or tables to replace could not be locked within the lock timeout; the
     *     transaction was rolled back and may be tried again
     */
    default Swapped swap(String topic, List<String> views, Consumer<Map<Integer, Long>> catchUpTo) {
        return swap(topic, views, catchUpTo, Optional.empty());
    }

    /**
     * Swaps as {@link #swap(String, List, Consumer)} does and, in the same transaction, records that the dead letter
     * of {@code retried} was retried: the copies were folded with its record in place, so the record is applied
     * exactly when this commits, and never again.
     *
     * @throws AlreadyDecided when a decision about that dead letter exists already; nothing was swapped
     * @throws SwapBlocked when the views or tables to replace could not be locked within the lock timeout; the
     *     transaction was rolled back and may be tried again
     */
    Swapped swap(
            String topic,
            List<String> views,
            Consumer<Map<Integer, Long>> catchUpTo,
            Optional<DeadLetterSource> retried);

    /** Drops the copies, for a rebuild that gives up before its swap; the live tables are not touched. */
    void dropCopies();

    @Override
    void close();

    /**
     * What a swap did.
     *
     * @param offsets the live offsets the swapped tables are consistent with
     * @param tables the tables swapped in
     * @param rowsDiffering per swapped table, the rows that are in the live table or the rebuilt one but not both,
     *     compared at the moment of the swap: 0 when the projection's rules did not change
     * @param viewsRecreated the views recreated on the swapped tables
     */
    record Swapped(
            Map<Integer, Long> offsets,
            List<String> tables,
            Map<String, Long> rowsDiffering,
            List<String> viewsRecreated) {}

    /** A swap that would record a retry found a decision about that dead letter already, and rolled back. */
    final class AlreadyDecided extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final DeadLetterResolutions.Resolution resolution;

        public AlreadyDecided(DeadLetterSource source, DeadLetterResolutions.Resolution resolution) {
            super("the dead letter of " + source + " was " + resolution.json() + " already");
            this.resolution = resolution;
        }

        /** The decision found. */
        public DeadLetterResolutions.Resolution resolution() {
            return resolution;
        }
    }

    /**
     * A swap waited the whole lock timeout for the views and tables it replaces, which other sessions were reading,
     * and rolled back: the live tables and views are as they were, and the copies are kept for another try.
     */
    final class SwapBlocked extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final Duration lockTimeout;
        private final transient List<LockHolder> holders;

        public SwapBlocked(Duration lockTimeout, List<LockHolder> holders) {
            super("the swap waited " + lockTimeout.toMillis() + " ms for the views and tables it replaces; "
                    + LockHolder.describe(holders));
            this.lockTimeout = lockTimeout;
            this.holders = List.copyOf(holders);
        }

        /** How long the try waited for its locks. */
        public Duration lockTimeout() {
            return lockTimeout;
        }

        /** The sessions that held a lock on those views or tables just after the try gave up, by pid. */
        public List<LockHolder> holders() {
            return holders;
        }
    }

    /**
     * A database session that holds a lock on a relation a swap needs.
     *
     * @param pid its backend's process id, for {@code pg_cancel_backend} or {@code pg_terminate_backend}
     * @param user its login
     * @param state {@code active}, {@code idle in transaction}, ...; empty when this login may not see it
     * @param since when its current statement started (when its transaction did, once idle in one); empty when this
     *     login may not see it (that takes {@code pg_read_all_stats})
     */
    record LockHolder(int pid, String user, Optional<String> state, Optional<Instant> since) {

        /** The holders in a phrase for a progress line or an error message. */
        public static String describe(List<LockHolder> holders) {
            if (holders.isEmpty()) {
                return "no session holds a lock on them any more";
            }
            List<String> each = holders.stream().map(LockHolder::toString).toList();
            return "held by " + String.join(", ", each);
        }

        @Override
        public String toString() {
            String what = "pid " + pid + " (" + user;
            if (since.isEmpty()) {
                return what + ", its start time hidden from this login)";
            }
            return what + ", " + state.orElse("running") + " since " + since.get() + ")";
        }
    }
}
