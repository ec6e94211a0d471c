package io.polyglot.schemas;

import io.polyglot.schemas.avro.ActivityRecorded;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;

/**
 * For tests of schema evolution: a newer writer schema of {@code ActivityRecorded}, as a later release might write it,
 * with the fields in another order and one optional field ({@code channel}) added. It is no schema of this build, so
 * only a codec with a catalog that holds it can read what it writes. Shared with other modules' tests as a test jar.
 */
public final class NewerActivityRecorded {

    /** The newer writer schema. */
    public static final Schema SCHEMA = new Schema.Parser().parse("""
                    {"type": "record", "name": "ActivityRecorded", "namespace": "io.polyglot.schemas.avro",
                     "doc": "An activity happened to an aggregate (a newer version, for tests).",
                     "fields": [
                       {"name": "occurredAt", "type": {"type": "long", "logicalType": "timestamp-micros"},
                        "doc": "When."},
                       {"name": "attributes", "type": {"type": "map", "values": "string"}, "default": {},
                        "doc": "Other attributes."},
                       {"name": "channel", "type": ["null", "string"], "default": null,
                        "doc": "Where the activity was recorded; added in the newer version."},
                       {"name": "resource", "type": ["null", "string"], "default": null, "doc": "Who."},
                       {"name": "lifecycle", "type": ["null", "string"], "default": null, "doc": "Transition."},
                       {"name": "activity", "type": "string", "doc": "Name of the activity."}
                     ]}
                    """);

    private static final BinaryMessageEncoder<GenericRecord> ENCODER =
            new BinaryMessageEncoder<>(GenericData.get(), SCHEMA);

    private NewerActivityRecorded() {}

    /** The newer schema's fingerprint, the one its payloads name. */
    public static long fingerprint() {
        return KnownSchemas.fingerprint(SCHEMA);
    }

    /** The newer schema as the {@code schemas} topic holds it: key and value. */
    public static Map.Entry<String, String> catalogEntry() {
        return Map.entry(KnownSchemas.hex(fingerprint()), SCHEMA.toString());
    }

    /** A payload in single-object encoding of the newer schema, holding what {@code activity} holds. */
    public static ByteBuffer payload(ActivityRecorded activity, String channel) {
        GenericRecord record = new GenericData.Record(SCHEMA);
        record.put("occurredAt", ChronoUnit.MICROS.between(Instant.EPOCH, activity.getOccurredAt()));
        record.put("attributes", activity.getAttributes());
        record.put("channel", channel);
        record.put("resource", activity.getResource());
        record.put("lifecycle", activity.getLifecycle());
        record.put("activity", activity.getActivity());
        try {
            return ENCODER.encode(record);
        } catch (IOException e) {
            throw new UncheckedIOException("encoding into memory failed", e);
        }
    }
}
