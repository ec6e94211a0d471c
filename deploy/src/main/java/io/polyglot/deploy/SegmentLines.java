package io.polyglot.deploy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.polyglot.archive.store.SegmentContents;
import io.polyglot.schemas.EventCodec;
import io.polyglot.schemas.UndecodableRecordException;
import io.polyglot.schemas.avro.EventEnvelope;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.avro.Schema;
import org.apache.avro.generic.IndexedRecord;

/**
 * A segment's events as JSON lines for {@code archive cat}: one object per event, in offset order, with its offset,
 * every envelope field and the payload decoded into its fields ({@code payloadSchema} names the payload's record).
 */
final class SegmentLines {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final EventCodec codec = EventCodec.standard();

    /** One JSON object per event of {@code contents}. */
    List<String> of(SegmentContents contents) {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < contents.events().size(); i++) {
            lines.add(line(contents.offsets().get(i), contents.events().get(i)));
        }
        return lines;
    }

    private String line(long offset, EventEnvelope event) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("offset", offset);
        for (Schema.Field field : event.getSchema().getFields()) {
            if (!field.name().equals("payload")) {
                fields.put(field.name(), plain(event.get(field.pos())));
            }
        }
        try {
            IndexedRecord payload = codec.decodePayload(event.getPayload());
            fields.put("payloadSchema", payload.getSchema().getFullName());
            fields.put("payload", plain(payload));
        } catch (UndecodableRecordException e) {
            fields.put("payload", Base64.getEncoder().encodeToString(bytesOf(event.getPayload())));
            fields.put("payloadProblem", e.getMessage());
        }
        try {
            return JSON.writeValueAsString(fields);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("plain values are always JSON", e);
        }
    }

    /** Avro values as JSON-friendly ones: records and maps as objects, instants as ISO-8601, bytes as base64. */
    private static Object plain(Object value) {
        if (value instanceof IndexedRecord record) {
            Map<String, Object> fields = new LinkedHashMap<>();
            for (Schema.Field field : record.getSchema().getFields()) {
                fields.put(field.name(), plain(record.get(field.pos())));
            }
            return fields;
        }
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> entries = new TreeMap<>();
            map.forEach((key, entry) -> entries.put(key.toString(), plain(entry)));
            return entries;
        }
        if (value instanceof List<?> list) {
            return list.stream().map(SegmentLines::plain).toList();
        }
        if (value instanceof ByteBuffer bytes) {
            return Base64.getEncoder().encodeToString(bytesOf(bytes));
        }
        if (value instanceof CharSequence || value instanceof Instant || value instanceof Enum<?>) {
            return value.toString();
        }
        return value;
    }

    private static byte[] bytesOf(ByteBuffer buffer) {
        ByteBuffer view = buffer.duplicate();
        byte[] bytes = new byte[view.remaining()];
        view.get(bytes);
        return bytes;
    }
}
