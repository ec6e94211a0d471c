package io.polyglot.projection;

import io.polyglot.schemas.EventCodec;
import io.polyglot.schemas.EventTypes;
import io.polyglot.schemas.avro.ActivityRecorded;
import io.polyglot.schemas.avro.EventEnvelope;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/** Builds envelopes the way the command service does, with the schemas' classes and codec. */
final class Envelopes {

    static final EventCodec CODEC = EventCodec.standard();

    private Envelopes() {}

    /** The bytes of {@code entry} on the topic, as the command service writes them. */
    static byte[] encode(SyntheticLog.Entry entry) {
        return CODEC.encode(activity(
                entry.aggregateType(),
                entry.aggregateId(),
                entry.activity(),
                entry.lifecycle(),
                entry.occurredAt(),
                entry.attributes()));
    }

    static EventEnvelope activity(
            String aggregateType,
            String aggregateId,
            String activity,
            String lifecycle,
            Instant occurredAt,
            Map<String, String> attributes) {
        ActivityRecorded payload = ActivityRecorded.newBuilder()
                .setActivity(activity)
                .setLifecycle(lifecycle)
                .setResource(null)
                .setOccurredAt(occurredAt)
                .setAttributes(Map.copyOf(attributes))
                .build();
        String commandId = UUID.randomUUID().toString();
        return EventEnvelope.newBuilder()
                .setEventId(UUID.randomUUID().toString())
                .setAggregateType(aggregateType)
                .setAggregateId(aggregateId)
                .setAggregateVersion(0)
                .setType(EventTypes.ACTIVITY_RECORDED)
                .setOccurredAt(occurredAt)
                .setRecordedAt(Instant.now())
                .setCommandId(commandId)
                .setCorrelationId(commandId)
                .setCausationId(commandId)
                .setPayload(CODEC.encodePayload(payload))
                .build();
    }
}
