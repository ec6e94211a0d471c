package io.polyglot.schemas;

import io.polyglot.schemas.avro.ActivityRecorded;
import java.util.Map;
import java.util.Optional;
import org.apache.avro.specific.SpecificRecord;

/** The event types the pipeline knows, each with the payload record that carries it. */
public final class EventTypes {

    /** An activity of a process-mining event log happened to an aggregate. */
    public static final String ACTIVITY_RECORDED = "ActivityRecorded";

    private static final Map<String, Class<? extends SpecificRecord>> PAYLOADS =
            Map.of(ACTIVITY_RECORDED, ActivityRecorded.class);

    private EventTypes() {}

    /** The payload class of an event type, or empty when the type is unknown. */
    public static Optional<Class<? extends SpecificRecord>> payloadClass(String type) {
        return Optional.ofNullable(PAYLOADS.get(type));
    }

    /** Every known event type and its payload class. */
    public static Map<String, Class<? extends SpecificRecord>> all() {
        return PAYLOADS;
    }
}
