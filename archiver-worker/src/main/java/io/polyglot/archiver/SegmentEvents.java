package io.polyglot.archiver;

import io.polyglot.archive.store.ArchivedEvent;
import io.polyglot.archive.store.SegmentFormat;
import io.polyglot.archive.store.SegmentSource;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.SortedSet;

/** The events of a sealed segment: what the segment file needs, how many there are and how many bytes they take. */
interface SegmentEvents extends SegmentSource {

    /** How many events the segment holds. */
    default int count() {
        return offsets().size();
    }

    /** The offset of the first event. */
    default long firstOffset() {
        return offsets().get(0);
    }

    /** The offset of the last event. */
    default long lastOffset() {
        return offsets().get(offsets().size() - 1);
    }

    /** When the first event occurred. */
    Instant firstEventTime();

    /** When the last event occurred. */
    Instant lastEventTime();

    /** How many bytes the events take where they wait, encoded. */
    long bytes();

    /** Frees where the events wait, once the segment file holds them. */
    void discard();

    /** Events held in memory: for segments built by hand. */
    static SegmentEvents of(List<ArchivedEvent> events) {
        if (events.isEmpty()) {
            throw new IllegalArgumentException("a sealed segment holds at least one event");
        }
        SegmentSource source = SegmentFormat.source(events);
        return new SegmentEvents() {
            @Override
            public List<Long> offsets() {
                return source.offsets();
            }

            @Override
            public SortedSet<Long> payloadFingerprints() {
                return source.payloadFingerprints();
            }

            @Override
            public void forEachBody(BodySink sink) throws IOException {
                source.forEachBody(sink);
            }

            @Override
            public Instant firstEventTime() {
                return events.get(0).envelope().getOccurredAt();
            }

            @Override
            public Instant lastEventTime() {
                return events.get(events.size() - 1).envelope().getOccurredAt();
            }

            @Override
            public long bytes() {
                return 0;
            }

            @Override
            public void discard() {
                // Nothing but the garbage collector holds these events.
            }
        };
    }
}
