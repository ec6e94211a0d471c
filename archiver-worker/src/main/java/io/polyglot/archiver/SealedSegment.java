package io.polyglot.archiver;

import io.polyglot.archive.store.ArchivedEvent;
import io.polyglot.archive.store.SegmentKey;
import java.util.List;
import java.util.Objects;

/**
 * A segment that takes no more events: its key and its events, in offset order.
 *
 * @param chain the chain the segment belongs to
 * @param key where the segment is stored
 * @param events the events, in offset order, at least one; a journal on disk, or a list for segments built by hand
 * @param reason why it was sealed
 */
record SealedSegment(Chain chain, SegmentKey key, SegmentEvents events, SealReason reason) {

    /** Why a segment was sealed. */
    enum SealReason {
        /** It holds the most events a segment may hold. */
        FULL,
        /** No event arrived for its chain within the idle time. */
        IDLE,
        /** Its partition is being handed to another consumer, or the worker is stopping. */
        RELEASED
    }

    SealedSegment {
        Objects.requireNonNull(events, "events");
        if (events.count() == 0) {
            throw new IllegalArgumentException("a sealed segment holds at least one event");
        }
    }

    /** A segment of events held in memory. */
    SealedSegment(Chain chain, SegmentKey key, List<ArchivedEvent> events, SealReason reason) {
        this(chain, key, SegmentEvents.of(events), reason);
    }

    long firstOffset() {
        return events.firstOffset();
    }

    long lastOffset() {
        return events.lastOffset();
    }
}
