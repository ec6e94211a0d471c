package io.polyglot.projection;

import io.polyglot.projection.domain.ProjectedEvent;
import io.polyglot.schemas.EventCodec;
import io.polyglot.schemas.EventTypes;
import io.polyglot.schemas.KnownSchemas;
import io.polyglot.schemas.avro.ActivityRecorded;
import io.polyglot.schemas.avro.EventEnvelope;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.avro.Schema;
import org.apache.avro.SystemLimitException;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;

/**
 * Reads the event the projections fold straight from the bytes of an {@code ActivityRecorded} envelope written with
 * this build's schemas, skipping the fields no projection reads (the event, command, correlation and causation ids,
 * the append time, the resource) instead of building the envelope and payload records.
 *
 * <p>It answers only the common case: an envelope and a payload of this build's fingerprints, of an aggregate type a
 * projection folds and of event type {@code ActivityRecorded}. For anything else, or for bytes it cannot read, it
 * answers null or throws, and {@link RecordDecoder} decodes the record in full, which gives the verdict and its
 * reason. The fields it reads are read exactly as the generated classes read them, so both paths give equal events.
 *
 * <p>Not thread-safe: it reuses its decoders and payload buffer, so each thread needs an instance of its own.
 */
final class ActivityReader {

    private static final long ENVELOPE_FINGERPRINT = KnownSchemas.fingerprint(EventEnvelope.getClassSchema());
    private static final long ACTIVITY_FINGERPRINT = KnownSchemas.fingerprint(ActivityRecorded.getClassSchema());

    /**
     * The fields in the order this reader reads them, with their types and logical types; a schema of another layout
     * turns the reader off.
     */
    private static final List<String> ENVELOPE_LAYOUT = List.of(
            "eventId:STRING",
            "aggregateType:STRING",
            "aggregateId:STRING",
            "aggregateVersion:LONG",
            "type:STRING",
            "occurredAt:LONG/timestamp-micros",
            "recordedAt:LONG/timestamp-micros",
            "commandId:STRING",
            "correlationId:STRING",
            "causationId:STRING",
            "payload:BYTES");

    private static final List<String> ACTIVITY_LAYOUT = List.of(
            "activity:STRING",
            "lifecycle:UNION[NULL, STRING]",
            "resource:UNION[NULL, STRING]",
            "occurredAt:LONG/timestamp-micros",
            "attributes:MAP[STRING]");

    /** Whether this build's schemas have the layouts above. */
    static final boolean KNOWS_THE_SCHEMAS =
            layout(EventEnvelope.getClassSchema()).equals(ENVELOPE_LAYOUT)
                    && layout(ActivityRecorded.getClassSchema()).equals(ACTIVITY_LAYOUT);

    private final Set<String> projectedTypes;
    private BinaryDecoder envelopeDecoder;
    private BinaryDecoder payloadDecoder;
    private ByteBuffer payload;

    ActivityReader(Set<String> projectedTypes) {
        this.projectedTypes = projectedTypes;
    }

    /**
     * The event in {@code value}, or null when it is not the common case this reader answers.
     *
     * @throws IOException or an unchecked exception when the bytes cannot be read; the full decode then judges them
     */
    ProjectedEvent read(int partition, long offset, byte[] value) throws IOException {
        if (!KNOWS_THE_SCHEMAS || fingerprint(value, 0, value.length) != ENVELOPE_FINGERPRINT) {
            return null;
        }
        BinaryDecoder in = DecoderFactory.get()
                .binaryDecoder(
                        value, EventCodec.HEADER_LENGTH, value.length - EventCodec.HEADER_LENGTH, envelopeDecoder);
        envelopeDecoder = in;
        skipString(in); // eventId
        String aggregateType = in.readString();
        if (!projectedTypes.contains(aggregateType)) {
            return null;
        }
        String aggregateId = in.readString();
        long aggregateVersion = in.readLong();
        if (!EventTypes.ACTIVITY_RECORDED.equals(in.readString())) {
            return null;
        }
        Instant occurredAt = instantOfMicros(in.readLong());
        in.readLong(); // recordedAt
        skipString(in); // commandId
        skipString(in); // correlationId
        skipString(in); // causationId
        payload = in.readBytes(payload);
        int start = payload.arrayOffset() + payload.position();
        int length = payload.remaining();
        if (fingerprint(payload.array(), start, length) != ACTIVITY_FINGERPRINT) {
            return null;
        }
        BinaryDecoder body = DecoderFactory.get()
                .binaryDecoder(
                        payload.array(),
                        start + EventCodec.HEADER_LENGTH,
                        length - EventCodec.HEADER_LENGTH,
                        payloadDecoder);
        payloadDecoder = body;
        String activity = body.readString();
        String lifecycle = optionalString(body, false);
        optionalString(body, true); // resource
        body.readLong(); // the payload's occurredAt; the envelope's is the one projected
        Map<String, String> attributes = new HashMap<>();
        for (long block = body.readMapStart(); block != 0; block = body.mapNext()) {
            for (long i = 0; i < block; i++) {
                String key = body.readString();
                attributes.put(key, body.readString());
            }
        }
        return new ProjectedEvent(
                partition,
                offset,
                aggregateType,
                aggregateId,
                aggregateVersion,
                activity,
                lifecycle,
                occurredAt,
                attributes);
    }

    /** A {@code ["null", "string"]} union: null, or the string unless {@code skip}. */
    private static String optionalString(BinaryDecoder in, boolean skip) throws IOException {
        int branch = in.readIndex();
        if (branch == 0) {
            return null;
        }
        if (branch != 1) {
            throw new IOException("union branch " + branch + " of a [null, string] union");
        }
        if (skip) {
            skipString(in);
            return null;
        }
        return in.readString();
    }

    /**
     * Skips a string, refusing the lengths that reading it refuses: Avro's own {@code skipString} skips nothing for a
     * negative length and reads on, where {@code readString} calls the bytes malformed.
     */
    private static void skipString(BinaryDecoder in) throws IOException {
        in.skipFixed(SystemLimitException.checkMaxStringLength(in.readLong()));
    }

    /** As Avro's {@code timestamp-micros} conversion makes it. */
    static Instant instantOfMicros(long micros) {
        return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000L);
    }

    /** The fingerprint of single-object-encoded bytes, or 0 when they do not start with the marker and one. */
    private static long fingerprint(byte[] bytes, int start, int length) {
        if (length < EventCodec.HEADER_LENGTH || bytes[start] != (byte) 0xC3 || bytes[start + 1] != (byte) 0x01) {
            return 0;
        }
        long fingerprint = 0;
        for (int i = EventCodec.HEADER_LENGTH - 1; i >= 2; i--) {
            fingerprint = (fingerprint << 8) | (bytes[start + i] & 0xFFL);
        }
        return fingerprint;
    }

    private static List<String> layout(Schema record) {
        return record.getFields().stream()
                .map(field -> field.name() + ":" + describe(field.schema()))
                .toList();
    }

    private static String describe(Schema schema) {
        return switch (schema.getType()) {
            case UNION ->
                "UNION"
                        + schema.getTypes().stream()
                                .map(ActivityReader::describe)
                                .toList();
            case MAP -> "MAP[" + describe(schema.getValueType()) + "]";
            default ->
                schema.getLogicalType() == null
                        ? schema.getType().name()
                        : schema.getType().name() + "/"
                                + schema.getLogicalType().getName();
        };
    }
}
