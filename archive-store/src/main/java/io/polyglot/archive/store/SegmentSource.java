package io.polyglot.archive.store;

import java.io.IOException;
import java.nio.ByteBuffer;
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

    /**
     * Hands every event to {@code sink}, in offset order, as its envelope's body: the binary encoding in this build's
     * envelope schema ({@link io.polyglot.schemas.EventCodec#encodeBody}), which the file holds as the record.
     */
    void forEachBody(BodySink sink) throws IOException;

    /** Takes one event of a segment. */
    @FunctionalInterface
    interface BodySink {
        /** Takes the body of the next event; it may not be read after this returns. */
        void accept(ByteBuffer body) throws IOException;
    }
}
