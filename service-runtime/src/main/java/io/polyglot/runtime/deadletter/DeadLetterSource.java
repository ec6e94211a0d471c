package io.polyglot.runtime.deadletter;

import java.util.Comparator;
import java.util.Objects;

/**
 * Where a dead letter's record came from: what "once per group" and "at most once on retry" are keyed by.
 *
 * @param topic the source topic
 * @param partition the source partition
 * @param offset the source offset
 */
public record DeadLetterSource(String topic, int partition, long offset) implements Comparable<DeadLetterSource> {

    private static final Comparator<DeadLetterSource> ORDER = Comparator.comparing(DeadLetterSource::topic)
            .thenComparingInt(DeadLetterSource::partition)
            .thenComparingLong(DeadLetterSource::offset);

    /** Checks the parts. */
    public DeadLetterSource {
        Objects.requireNonNull(topic, "topic");
        if (partition < 0 || offset < 0) {
            throw new IllegalArgumentException(
                    "a source partition and offset are never negative, got " + partition + "/" + offset);
        }
    }

    @Override
    public int compareTo(DeadLetterSource other) {
        return ORDER.compare(this, other);
    }

    @Override
    public String toString() {
        return topic + "/" + partition + "@" + offset;
    }
}
