package io.polyglot.archive.store;

import io.polyglot.schemas.avro.EventEnvelope;
import java.util.Objects;

/**
 * One event of a segment with the offset it had in its partition of {@code events.all}.
 *
 * @param offset the Kafka offset of the event
 * @param envelope the decoded event
 */
public record ArchivedEvent(long offset, EventEnvelope envelope) {

    /** Requires a non-negative offset and an envelope. */
    public ArchivedEvent {
        if (offset < 0) {
            throw new IllegalArgumentException("an offset is never negative, got " + offset);
        }
        Objects.requireNonNull(envelope, "envelope");
    }
}
