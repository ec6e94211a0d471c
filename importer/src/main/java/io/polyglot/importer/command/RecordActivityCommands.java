package io.polyglot.importer.command;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.polyglot.importer.log.CaseEvent;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * Turns events into {@code RecordActivity} commands for one aggregate type, as the command service reads them:
 * {@code commandId}, {@code aggregateType}, {@code aggregateId} (the case id), {@code type} and a {@code payload} of
 * {@code activity}, {@code lifecycle}, {@code resource}, {@code occurredAt} and {@code attributes}. Fields without a
 * value are left out; {@code attributes} is always there, empty or not.
 */
public final class RecordActivityCommands {

    /** The command type the command service knows these commands by. */
    public static final String COMMAND_TYPE = "RecordActivity";

    private final JsonFactory json = new JsonFactory();
    private final String aggregateType;

    /** @param aggregateType the aggregate type every command of this import carries */
    public RecordActivityCommands(String aggregateType) {
        this.aggregateType = aggregateType;
    }

    /** The aggregate type of these commands. */
    public String aggregateType() {
        return aggregateType;
    }

    /** The command for one event, with its deterministic id. */
    public PendingCommand toCommand(CaseEvent event) {
        String commandId = CommandIds.of(aggregateType, event.caseId(), event.position());
        return new PendingCommand(event, commandId, encode(commandId, event));
    }

    private byte[] encode(String commandId, CaseEvent event) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        try (JsonGenerator out = json.createGenerator(bytes, JsonEncoding.UTF8)) {
            out.writeStartObject();
            out.writeStringField("commandId", commandId);
            out.writeStringField("aggregateType", aggregateType);
            out.writeStringField("aggregateId", event.caseId());
            out.writeStringField("type", COMMAND_TYPE);
            out.writeObjectFieldStart("payload");
            out.writeStringField("activity", event.activity());
            writeIfPresent(out, "lifecycle", event.lifecycle());
            writeIfPresent(out, "resource", event.resource());
            out.writeStringField("occurredAt", event.occurredAt());
            out.writeObjectFieldStart("attributes");
            for (Map.Entry<String, String> attribute : event.attributes().entrySet()) {
                out.writeStringField(attribute.getKey(), attribute.getValue());
            }
            out.writeEndObject();
            out.writeEndObject();
            out.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("writing JSON to memory failed", e);
        }
        return bytes.toByteArray();
    }

    private static void writeIfPresent(JsonGenerator out, String field, String value) throws IOException {
        if (value != null) {
            out.writeStringField(field, value);
        }
    }
}
