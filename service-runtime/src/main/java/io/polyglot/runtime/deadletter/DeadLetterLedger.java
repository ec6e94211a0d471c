package io.polyglot.runtime.deadletter;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which source records one consumer group has dead-lettered already, so that "once per group" survives a crash
 * between sending a dead letter and committing the source offset: after the restart the group reads the record
 * again, finds it here and sends nothing.
 *
 * <p>The ledger learns from {@code events.dlq} itself, read to the end it has at that moment: call
 * {@link #reload()} when partitions are assigned (a failure there only leaves the ledger stale), and the next
 * {@link #contains} reads it again if it is stale. A send that failed also makes it stale, because the dead letter
 * may have landed after all. Thread-safe.
 */
public final class DeadLetterLedger {

    private static final Logger log = LoggerFactory.getLogger(DeadLetterLedger.class);

    private final DeadLetterReader reader;
    private final String group;
    private final Set<DeadLetterSource> sent = new HashSet<>();
    private boolean stale = true;

    /** A ledger of {@code group}'s dead letters, read from {@code reader}'s topic; empty and stale until read. */
    public DeadLetterLedger(DeadLetterReader reader, String group) {
        this.reader = reader;
        this.group = group;
    }

    /** The group it keeps the ledger of. */
    public String group() {
        return group;
    }

    /**
     * Reads the group's dead letters again, up to the topic's end now.
     *
     * @throws DeadLetterUnavailableException when the topic cannot be read; the ledger stays stale
     */
    public synchronized void reload() {
        stale = true;
        List<DeadLetter> letters = reader.read(group);
        sent.clear();
        letters.forEach(letter -> sent.add(letter.source()));
        stale = false;
        log.info("Dead-letter ledger of group {} read: {} dead letters", group, sent.size());
    }

    /** Like {@link #reload()}, but a failure only leaves the ledger stale for the next {@link #contains} to retry. */
    public void reloadIfReachable() {
        try {
            reload();
        } catch (DeadLetterUnavailableException e) {
            log.warn("Dead-letter ledger of group {} not read now, read again when needed: {}", group, e.getMessage());
        }
    }

    /**
     * Whether the group has dead-lettered {@code source} already; reads the topic first when the ledger is stale.
     *
     * @throws DeadLetterUnavailableException when the ledger is stale and the topic cannot be read
     */
    public synchronized boolean contains(DeadLetterSource source) {
        if (stale) {
            reload();
        }
        return sent.contains(source);
    }

    /** Records that Kafka acknowledged the dead letter of {@code source}. */
    synchronized void sent(DeadLetterSource source) {
        sent.add(source);
    }

    /** Forgets what it read, so the next {@link #contains} reads the topic again. */
    synchronized void invalidate() {
        stale = true;
    }
}
