package io.polyglot.command.intake;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Valid commands as JSON trees, for tests to break one field at a time. */
public final class ValidCommands {

    public static final ObjectMapper JSON = new ObjectMapper();

    private ValidCommands() {}

    /** A valid {@code RecordActivity} command with every optional payload field set. */
    public static ObjectNode recordActivity(String commandId, String aggregateId) {
        ObjectNode command = JSON.createObjectNode();
        command.put("commandId", commandId);
        command.put("aggregateType", "LoanApplication");
        command.put("aggregateId", aggregateId);
        command.put("type", "RecordActivity");
        ObjectNode payload = command.putObject("payload");
        payload.put("activity", "A_SUBMITTED");
        payload.put("lifecycle", "COMPLETE");
        payload.put("resource", "User_1");
        payload.put("occurredAt", "2011-10-01T00:38:44.546+02:00");
        payload.putObject("attributes").put("amount", "20000").put("concept:name", "A_SUBMITTED");
        return command;
    }

    public static ObjectNode recordActivity() {
        return recordActivity("cmd-1", "173688");
    }

    public static byte[] bytes(ObjectNode command) {
        try {
            return JSON.writeValueAsBytes(command);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
