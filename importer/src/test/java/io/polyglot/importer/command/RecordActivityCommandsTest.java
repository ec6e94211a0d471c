package io.polyglot.importer.command;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.polyglot.importer.log.CaseEvent;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RecordActivityCommandsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void writesTheCommandTheCommandServiceReads() throws Exception {
        // given an event with every field
        Map<String, String> attributes = new LinkedHashMap<>();
        attributes.put("AMOUNT_REQ", "20000");
        attributes.put("note", "line\nbreak \"quoted\"");
        CaseEvent event = new CaseEvent(
                "173688", 1, "A_SUBMITTED", "COMPLETE", "112", "2011-10-01T00:38:44.546+02:00", attributes, 12);

        // when
        PendingCommand command = new RecordActivityCommands("LoanApplication").toCommand(event);

        // then
        JsonNode json = JSON.readTree(command.json());
        assertThat(json.toString())
                .isEqualTo("{\"commandId\":\"" + CommandIds.of("LoanApplication", "173688", 1) + "\","
                        + "\"aggregateType\":\"LoanApplication\",\"aggregateId\":\"173688\","
                        + "\"type\":\"RecordActivity\","
                        + "\"payload\":{\"activity\":\"A_SUBMITTED\",\"lifecycle\":\"COMPLETE\",\"resource\":\"112\","
                        + "\"occurredAt\":\"2011-10-01T00:38:44.546+02:00\","
                        + "\"attributes\":{\"AMOUNT_REQ\":\"20000\",\"note\":\"line\\nbreak \\\"quoted\\\"\"}}}");
        assertThat(new String(command.json(), java.nio.charset.StandardCharsets.UTF_8))
                .doesNotContain("\n");
        assertThat(command.commandId()).isEqualTo(json.path("commandId").asText());
    }

    @Test
    void leavesOutTheFieldsTheEventLacks() throws Exception {
        // given an event without lifecycle, resource or attributes
        CaseEvent event =
                new CaseEvent("Case 1", 2, "Resolve ticket", null, null, "2012-10-25T11:54:26+00:00", Map.of(), 3);

        // when
        JsonNode payload = JSON.readTree(
                        new RecordActivityCommands("Ticket").toCommand(event).json())
                .path("payload");

        // then
        assertThat(payload.has("lifecycle")).isFalse();
        assertThat(payload.has("resource")).isFalse();
        assertThat(payload.path("attributes").isObject()).isTrue();
        assertThat(payload.path("attributes").size()).isZero();
    }
}
