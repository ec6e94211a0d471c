package io.polyglot.archive.store;

import io.polyglot.schemas.avro.EventEnvelope;
import java.io.IOException;
import java.util.List;
import java.util.SortedSet;

/**
 * The events of one segment as {@link SegmentFormat#write(SegmentKey, String, SegmentSource, java.io.OutputStream)}
 * takes them: what the file header needs first (the offsets and the payload schemas), then the events one at a time,
 * so a writer never has to hold a whole segment in memory.
 */
public interface SegmentSource {

    /** The offset of each event, in offset order; at least one. */
    List<Long> offsets();

    /** The fingerprints of the payload schemas the events use. */
    SortedSet<Long> payloadFingerprints();

    /** Hands every event to {@code sink}, in offset order. */
    void forEachEvent(EventSink sink) throws IOException;

    /** Takes one event of a segment. */
    @FunctionalInterface
    interface EventSink {
        /** Takes the next event. */
        void accept(EventEnvelope event) throws IOException;
    }
}
