package io.polyglot.bench.micro;

import io.polyglot.schemas.EventCodec;
import io.polyglot.schemas.EventTypes;
import io.polyglot.schemas.avro.ActivityRecorded;
import io.polyglot.schemas.avro.EventEnvelope;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.UUID;

/** Envelopes like the decider writes for the BPI 2012 loan log: an {@code ActivityRecorded} of a loan application. */
final class Events {
    private static final Instant START = Instant.parse("2011-10-01T09:38:44.546Z");

    private Events() {}

    static ActivityRecorded activity(String activity, long minutes) {
        return ActivityRecorded.newBuilder()
                .setActivity(activity)
                .setLifecycle("COMPLETE")
                .setResource("112")
                .setOccurredAt(START.plus(minutes, ChronoUnit.MINUTES))
                .setAttributes(Map.of("AMOUNT_REQ", "20000", "REG_DATE", "2011-10-01T00:38:44.546+02:00"))
                .build();
    }

    /** The {@code version}th event of application {@code applicationId}. */
    static EventEnvelope envelope(EventCodec codec, String applicationId, long version) {
        Instant at = START.plus(version, ChronoUnit.MINUTES);
        return EventEnvelope.newBuilder()
                .setEventId(UUID.nameUUIDFromBytes((applicationId + "/" + version).getBytes(StandardCharsets.UTF_8))
                        .toString())
                .setAggregateType("LoanApplication")
                .setAggregateId(applicationId)
                .setAggregateVersion(version)
                .setType(EventTypes.ACTIVITY_RECORDED)
                .setOccurredAt(at)
                .setRecordedAt(at.plusMillis(5))
                .setCommandId("import-" + applicationId + "-" + version)
                .setCorrelationId("import-" + applicationId)
                .setCausationId("import-" + applicationId + "-" + version)
                .setPayload(
                        codec.encodePayload(activity(version == 1 ? "A_SUBMITTED" : "W_Completeren aanvraag", version)))
                .build();
    }
}
