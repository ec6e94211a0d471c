package io.polyglot.archive.store;

import io.polyglot.schemas.avro.EventEnvelope;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;

/**
 * What a segment file holds, as read back by {@link SegmentFormat#read}.
 *
 * @param schemaFingerprint the fingerprint of the file's own schema, the envelope schema it was written with
 * @param sourceTopic the topic the events were read from
 * @param sourcePartition the partition the events were read from
 * @param offsets the offset of each event, in file order
 * @param events the events, in file order
 * @param payloadSchemas the payload schemas the file carries, by fingerprint
 */
public record SegmentContents(
        long schemaFingerprint,
        String sourceTopic,
        int sourcePartition,
        List<Long> offsets,
        List<EventEnvelope> events,
        Map<Long, Schema> payloadSchemas) {

    /** Copies the collections. */
    public SegmentContents {
        offsets = List.copyOf(offsets);
        events = List.copyOf(events);
        payloadSchemas = Map.copyOf(payloadSchemas);
    }
}
