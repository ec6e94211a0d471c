package io.polyglot.dashboard.events;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.polyglot.runtime.catalog.SchemaCatalogUnavailableException;
import io.polyglot.schemas.EventCodec;
import io.polyglot.schemas.KnownSchemas;
import io.polyglot.schemas.UndecodableRecordException;
import io.polyglot.schemas.avro.EventEnvelope;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/**
 * A record of {@code events.all} or {@code events.dlq} as JSON: offset, time, key and headers as text, and the value
 * decoded with the schema its fingerprint names (this build's, else the {@code schemas} topic's through the codec's
 * catalog). A value that cannot be decoded is shown as such, with the reason and its first bytes, never as an error.
 */
public final class RecordJson {

    /** The most bytes of an undecodable value shown; the size says how many it has. */
    static final int SHOWN_BYTES = 4_096;

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final int HEX_BYTES = 64;

    private final EventCodec codec;

    RecordJson(EventCodec codec) {
        this.codec = codec;
    }

    public ObjectNode describe(ConsumerRecord<byte[], byte[]> record) {
        ObjectNode json = NODES.objectNode()
                .put("topic", record.topic())
                .put("partition", record.partition())
                .put("offset", record.offset())
                .put("timestamp", Instant.ofEpochMilli(record.timestamp()).toString());
        json.put("key", record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8));
        json.set("headers", headers(record));
        json.set("value", value(record.value()));
        return json;
    }

    /** The decoded value, or why it cannot be decoded with its bytes. */
    public ObjectNode value(byte[] value) {
        EventEnvelope envelope;
        try {
            envelope = codec.decode(value);
        } catch (UndecodableRecordException | SchemaCatalogUnavailableException e) {
            return undecodable(value, e.getMessage());
        }
        ObjectNode json = NODES.objectNode().put("decoded", true);
        json.put("schema", KnownSchemas.hex(EventCodec.fingerprintOf(value)));
        json.put("eventId", envelope.getEventId())
                .put("aggregateType", envelope.getAggregateType())
                .put("aggregateId", envelope.getAggregateId())
                .put("aggregateVersion", envelope.getAggregateVersion())
                .put("type", envelope.getType())
                .put("occurredAt", envelope.getOccurredAt().toString())
                .put("recordedAt", envelope.getRecordedAt().toString())
                .put("commandId", envelope.getCommandId())
                .put("correlationId", envelope.getCorrelationId())
                .put("causationId", envelope.getCausationId());
        payload(envelope.getPayload(), json);
        return json;
    }

    private void payload(ByteBuffer payload, ObjectNode json) {
        try {
            SpecificRecord record = codec.decodePayload(payload);
            json.put("payloadSchema", record.getSchema().getFullName());
            json.set("payload", AvroJson.of(record));
        } catch (UndecodableRecordException | SchemaCatalogUnavailableException e) {
            json.putNull("payload");
            json.put("payloadProblem", e.getMessage());
            json.put("payloadBase64", AvroJson.base64(payload));
        }
    }

    private static ObjectNode undecodable(byte[] value, String reason) {
        ObjectNode json = NODES.objectNode().put("decoded", false).put("reason", reason);
        if (value == null) {
            return json.put("size", 0);
        }
        json.put("size", value.length);
        json.put("truncated", value.length > SHOWN_BYTES);
        json.put("hex", HexFormat.of().formatHex(Arrays.copyOf(value, Math.min(value.length, HEX_BYTES))));
        json.put(
                "base64",
                Base64.getEncoder().encodeToString(Arrays.copyOf(value, Math.min(value.length, SHOWN_BYTES))));
        return json;
    }

    private static ArrayNode headers(ConsumerRecord<byte[], byte[]> record) {
        ArrayNode headers = NODES.arrayNode();
        for (Header header : record.headers()) {
            headers.addObject()
                    .put("name", header.key())
                    .put("value", header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8));
        }
        return headers;
    }
}
