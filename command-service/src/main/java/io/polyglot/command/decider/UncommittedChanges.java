package io.polyglot.command.decider;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * What this instance's decider tasks wrote to their stores that Kafka has not committed yet, so that reads of the
 * stores from outside the stream threads (a command's status, an aggregate's head) answer what is committed.
 *
 * <p>A Kafka Streams store holds a write as soon as a task makes it, while under {@code exactly_once_v2} the write
 * counts only once the transaction of its command commits, at the next commit interval. Until then a crash, a fenced
 * producer or a task moving to another instance throws it away, and the command is decided again, later and perhaps
 * otherwise. Each write is noted here with the partition and offset of the command it was made for. Every decision
 * names the command record it answers ({@link DecisionHeaders}), and the decision feed reads the decisions
 * read-committed: a decision seen there means that its command, and every command before it in its partition, is
 * committed, whichever instance decided it, so the feed then drops the notes up to that offset
 * ({@link #committedUpTo}).
 *
 * <p>A note lives from its write to the feed's sight of the commit, about one commit interval, so these maps hold
 * about the commands of one interval. The stream threads write notes, the feed drops them and request threads read
 * them, each through the maps' atomic operations.
 */
public final class UncommittedChanges {

    /** Per partition of {@code commands}: command id to the offset of the command whose decision was kept for it. */
    private final ConcurrentMap<Integer, ConcurrentMap<String, Long>> decisions = new ConcurrentHashMap<>();

    /** Per partition of {@code commands}: head key to its value as committed and the values written after it. */
    private final ConcurrentMap<Integer, ConcurrentMap<String, HeadChanges>> heads = new ConcurrentHashMap<>();

    /**
     * An aggregate's head as committed.
     *
     * @param value the head's bytes, or null when no committed head exists (the aggregate is new)
     */
    public record CommittedHead(byte[] value) {}

    /** A head's committed value and the values written after it, oldest first; never changed once made. */
    private record HeadChanges(byte[] committed, List<Write> writes) {}

    private record Write(long offset, byte[] value) {}

    /** A task kept the decision for {@code commandId}, deciding the command at {@code partition}/{@code offset}. */
    void decisionWritten(String commandId, int partition, long offset) {
        decisions.computeIfAbsent(partition, p -> new ConcurrentHashMap<>()).put(commandId, offset);
    }

    /**
     * A task wrote {@code after} over {@code before} (null when there was none) as the head at {@code key}, deciding
     * the command at {@code partition}/{@code offset}.
     */
    void headWritten(String key, byte[] before, byte[] after, int partition, long offset) {
        heads.computeIfAbsent(partition, p -> new ConcurrentHashMap<>()).compute(key, (k, changes) -> {
            // The first uncommitted write keeps what it overwrote: that is the committed value.
            List<Write> writes = changes == null ? new ArrayList<>(1) : new ArrayList<>(changes.writes());
            writes.add(new Write(offset, after));
            return new HeadChanges(changes == null ? before : changes.committed(), List.copyOf(writes));
        });
    }

    /**
     * The decision of the command at {@code offset} of {@code partition} is committed, so every write made for it and
     * for the commands before it in that partition is too.
     */
    public void committedUpTo(int partition, long offset) {
        ConcurrentMap<String, Long> decided = decisions.get(partition);
        if (decided != null) {
            // Removes an entry only if it still holds the offset tested, so a newer write of the id stays.
            decided.entrySet().removeIf(entry -> entry.getValue() <= offset);
        }
        ConcurrentMap<String, HeadChanges> written = heads.get(partition);
        if (written != null) {
            for (String key : written.keySet()) {
                written.computeIfPresent(key, (k, changes) -> afterCommit(changes, offset));
            }
        }
    }

    private static HeadChanges afterCommit(HeadChanges changes, long offset) {
        byte[] committed = changes.committed();
        List<Write> left = new ArrayList<>(changes.writes().size());
        for (Write write : changes.writes()) {
            if (write.offset() <= offset) {
                committed = write.value();
            } else {
                left.add(write);
            }
        }
        return left.isEmpty() ? null : new HeadChanges(committed, List.copyOf(left));
    }

    /** Whether the decision kept for {@code commandId} in {@code partition} is not committed yet. */
    public boolean decisionUncommitted(int partition, String commandId) {
        Map<String, Long> decided = decisions.get(partition);
        return decided != null && decided.containsKey(commandId);
    }

    /** Whether a decision kept for {@code commandId} in any partition decided here is not committed yet. */
    public boolean decisionUncommitted(String commandId) {
        return decisions.values().stream().anyMatch(decided -> decided.containsKey(commandId));
    }

    /**
     * The committed head at {@code key} in {@code partition} when a write of it is not committed yet; empty when the
     * store's value is the committed one.
     */
    public Optional<CommittedHead> committedHead(int partition, String key) {
        Map<String, HeadChanges> written = heads.get(partition);
        HeadChanges changes = written == null ? null : written.get(key);
        return changes == null ? Optional.empty() : Optional.of(new CommittedHead(changes.committed()));
    }
}
