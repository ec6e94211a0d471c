package io.polyglot.command.intake;

import static io.polyglot.command.intake.ValidCommands.JSON;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class CanonicalFormTest {

    private final FieldProblems problems = new FieldProblems();

    @Test
    void ordersTheMembersOfEveryObjectByTheirNamesCodePoints() {
        // given: U+1D11E sorts after U+E000 by code point, before it by UTF-16 unit
        JsonNode tree = tree(
                "{\"b\":{\"z\":\"1\",\"\uD834\uDD1E\":\"2\",\"\uE000\":\"3\",\"a\":\"4\"},\"a\":[{\"d\":1,\"c\":2}]}");

        // when
        String canonical = canonical(tree, new CanonicalForm());

        // then
        assertThat(canonical)
                .isEqualTo("{\"a\":[{\"c\":2,\"d\":1}],"
                        + "\"b\":{\"a\":\"4\",\"z\":\"1\",\"\uE000\":\"3\",\"\uD834\uDD1E\":\"2\"}}");
    }

    @Test
    void leavesOutAnOptionalFieldReadAsAbsentAndKeepsANullThatNothingRead() {
        // given
        JsonNode tree = tree("{\"resource\":null,\"unread\":null,\"lifecycle\":\"COMPLETE\"}");
        JsonFields fields = fields(tree);

        // when
        fields.optionalText("resource");
        fields.optionalText("lifecycle");

        // then
        assertThat(canonical(tree, fields.canonicalForm())).isEqualTo("{\"lifecycle\":\"COMPLETE\",\"unread\":null}");
    }

    @Test
    void leavesOutANullObjectReadAsAbsentInANestedObject() {
        // given
        JsonNode tree = tree("{\"payload\":{\"attributes\":null,\"activity\":\"A\"}}");
        JsonFields fields = fields(tree);

        // when
        fields.requiredObject("payload").orElseThrow().optionalObject("attributes");

        // then
        assertThat(canonical(tree, fields.canonicalForm())).isEqualTo("{\"payload\":{\"activity\":\"A\"}}");
    }

    @Test
    void writesANegativeZeroAsZero() {
        // given
        JsonNode tree = tree("{\"expectedVersion\":-0}");

        // when
        String canonical = canonical(tree, new CanonicalForm());

        // then
        assertThat(canonical).isEqualTo("{\"expectedVersion\":0}");
    }

    @Test
    void writesATimeReadAsAnInstantInUtcAndAnyOtherTextAsSent() {
        // given
        JsonNode tree =
                tree("{\"occurredAt\":\"2011-10-01T00:38:44.546000+02:00\",\"note\":\"2011-10-01T00:38+02:00\"}");
        JsonFields fields = fields(tree);

        // when
        fields.readAsInstant("occurredAt", Instant.parse("2011-09-30T22:38:44.546Z"));

        // then
        assertThat(canonical(tree, fields.canonicalForm()))
                .isEqualTo("{\"note\":\"2011-10-01T00:38+02:00\",\"occurredAt\":\"2011-09-30T22:38:44.546Z\"}");
    }

    @Test
    void writesTextsWithTheirEscapesDecoded() {
        // given
        JsonNode tree = tree("{\"activity\":\"\\u0041_SUBMITTED\",\"resource\":\"caf\\u00e9\"}");

        // when
        String canonical = canonical(tree, new CanonicalForm());

        // then
        assertThat(canonical).isEqualTo("{\"activity\":\"A_SUBMITTED\",\"resource\":\"café\"}");
    }

    private JsonFields fields(JsonNode tree) {
        return JsonFields.of(tree, JsonPointer.empty(), problems).orElseThrow();
    }

    private static JsonNode tree(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String canonical(JsonNode tree, CanonicalForm form) {
        StringWriter text = new StringWriter();
        try (JsonGenerator out = JSON.createGenerator(text)) {
            form.write(JSON, tree, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return text.toString();
    }
}
