package io.polyglot.dashboard.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Base64;
import java.util.Collection;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericFixed;
import org.apache.avro.generic.IndexedRecord;

/**
 * An Avro value as JSON for people to read: records as objects in their schema's field order, maps as objects, times
 * (the logical types the generated classes turn into {@link Instant}) as ISO-8601 text, bytes as base64.
 */
final class AvroJson {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private AvroJson() {}

    static JsonNode of(Object value) {
        if (value == null) {
            return NODES.nullNode();
        }
        if (value instanceof IndexedRecord record) {
            return record(record);
        }
        if (value instanceof Map<?, ?> map) {
            ObjectNode object = NODES.objectNode();
            map.forEach((key, item) -> object.set(String.valueOf(key), of(item)));
            return object;
        }
        if (value instanceof Collection<?> items) {
            ArrayNode array = NODES.arrayNode();
            items.forEach(item -> array.add(of(item)));
            return array;
        }
        return scalar(value);
    }

    private static ObjectNode record(IndexedRecord record) {
        ObjectNode object = NODES.objectNode();
        for (Schema.Field field : record.getSchema().getFields()) {
            object.set(field.name(), of(record.get(field.pos())));
        }
        return object;
    }

    private static JsonNode scalar(Object value) {
        if (value instanceof CharSequence || value instanceof Instant) {
            return NODES.textNode(value.toString());
        }
        if (value instanceof Boolean flag) {
            return NODES.booleanNode(flag);
        }
        if (value instanceof Integer || value instanceof Long) {
            return NODES.numberNode(((Number) value).longValue());
        }
        if (value instanceof Float || value instanceof Double) {
            return NODES.numberNode(((Number) value).doubleValue());
        }
        if (value instanceof ByteBuffer bytes) {
            return NODES.textNode(base64(bytes));
        }
        if (value instanceof GenericFixed fixed) {
            return NODES.textNode(Base64.getEncoder().encodeToString(fixed.bytes()));
        }
        return NODES.textNode(value.toString());
    }

    static String base64(ByteBuffer bytes) {
        ByteBuffer copy = bytes.duplicate();
        byte[] out = new byte[copy.remaining()];
        copy.get(out);
        return Base64.getEncoder().encodeToString(out);
    }
}
