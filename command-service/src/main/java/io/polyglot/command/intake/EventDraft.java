package io.polyglot.command.intake;

import java.time.Instant;
import java.util.Objects;
import org.apache.avro.specific.SpecificRecord;

/**
 * An event a command type wants recorded, before it gets its identity and place in an envelope.
 *
 * @param type the event type, one of {@code io.polyglot.schemas.EventTypes}
 * @param payload the payload record
 * @param occurredAt when it happened in the business, as the client said
 */
public record EventDraft(String type, SpecificRecord payload, Instant occurredAt) {

    public EventDraft {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(payload, "payload");
        Objects.requireNonNull(occurredAt, "occurredAt");
    }
}
