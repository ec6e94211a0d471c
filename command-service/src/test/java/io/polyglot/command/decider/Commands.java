package io.polyglot.command.decider;

import io.polyglot.command.avro.CommandRecord;
import io.polyglot.schemas.EventCodec;
import io.polyglot.schemas.EventTypes;
import io.polyglot.schemas.avro.ActivityRecorded;
import io.polyglot.schemas.avro.EventEnvelope;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** {@code RecordActivity} commands as the HTTP layer puts them on {@code commands}, for decider tests. */
final class Commands {

    static final EventCodec CODEC = EventCodec.standard();
    private static final Instant OCCURRED = Instant.parse("2011-10-01T00:38:44.546Z");

    private Commands() {}

    static CommandRecord command(
            String commandId, String aggregateType, String aggregateId, Long expectedVersion, String... activities) {
        List<ByteBuffer> events = Arrays.stream(activities)
                .map(activity ->
                        ByteBuffer.wrap(CODEC.encode(envelope(commandId, aggregateType, aggregateId, activity))))
                .toList();
        return CommandRecord.newBuilder()
                .setCommandId(commandId)
                .setAggregateType(aggregateType)
                .setAggregateId(aggregateId)
                .setCommandType("RecordActivity")
                .setExpectedVersion(expectedVersion)
                .setBodyHash("hash-of-" + commandId + "-" + String.join(",", activities) + "-" + expectedVersion)
                .setBodyHashAsSent(
                        "sent-hash-of-" + commandId + "-" + String.join(",", activities) + "-" + expectedVersion)
                .setEvents(events)
                .build();
    }

    static CommandRecord loan(String commandId, String caseId, String... activities) {
        return command(commandId, "LoanApplication", caseId, null, activities);
    }

    static byte[] bytes(CommandRecord command) {
        return DeciderRecords.encode(command);
    }

    private static EventEnvelope envelope(String commandId, String aggregateType, String aggregateId, String activity) {
        ActivityRecorded payload = ActivityRecorded.newBuilder()
                .setActivity(activity)
                .setLifecycle("COMPLETE")
                .setResource(null)
                .setOccurredAt(OCCURRED)
                .setAttributes(Map.of())
                .build();
        return EventEnvelope.newBuilder()
                .setEventId(UUID.randomUUID().toString())
                .setAggregateType(aggregateType)
                .setAggregateId(aggregateId)
                .setAggregateVersion(0L)
                .setType(EventTypes.ACTIVITY_RECORDED)
                .setOccurredAt(OCCURRED)
                .setRecordedAt(OCCURRED)
                .setCommandId(commandId)
                .setCorrelationId(commandId)
                .setCausationId(commandId)
                .setPayload(CODEC.encodePayload(payload))
                .build();
    }
}
