package io.polyglot.testservers;

import io.polyglot.schemas.EventCodec;
import io.polyglot.schemas.EventTypes;
import io.polyglot.schemas.avro.ActivityRecorded;
import io.polyglot.schemas.avro.EventEnvelope;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/** Events for tests, built with the schema classes and the codec as the command service builds them. */
public final class TestEvents {

    private static final EventCodec CODEC = EventCodec.standard();
    private static final Instant BASE = Instant.parse("2011-10-01T00:38:44.546Z");

    private TestEvents() {}

    /** The {@code n}th event of aggregate {@code aggregateId} of type {@code aggregateType}; same n, same event. */
    public static EventEnvelope event(String aggregateType, String aggregateId, int n) {
        Instant occurredAt = BASE.plusSeconds(n);
        ActivityRecorded payload = ActivityRecorded.newBuilder()
                .setActivity("A_SUBMITTED")
                .setLifecycle("COMPLETE")
                .setResource("112")
                .setOccurredAt(occurredAt)
                .setAttributes(Map.of("amount", Integer.toString(1000 + n)))
                .build();
        String commandId = aggregateType + "-" + aggregateId + "-" + n;
        return EventEnvelope.newBuilder()
                .setEventId(UUID.nameUUIDFromBytes(commandId.getBytes(java.nio.charset.StandardCharsets.UTF_8))
                        .toString())
                .setAggregateType(aggregateType)
                .setAggregateId(aggregateId)
                .setAggregateVersion(0)
                .setType(EventTypes.ACTIVITY_RECORDED)
                .setOccurredAt(occurredAt)
                .setRecordedAt(occurredAt.plusMillis(5))
                .setCommandId(commandId)
                .setCorrelationId(commandId)
                .setCausationId(commandId)
                .setPayload(CODEC.encodePayload(payload))
                .build();
    }

    /** The event encoded as it travels on {@code events.all}. */
    public static byte[] encoded(EventEnvelope event) {
        return CODEC.encode(event);
    }
}
