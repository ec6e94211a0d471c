package io.polyglot.command.intake;

import static io.polyglot.command.intake.ValidCommands.JSON;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.polyglot.schemas.avro.ActivityRecorded;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RecordActivityTest {

    private final RecordActivity recordActivity = new RecordActivity();
    private final FieldProblems problems = new FieldProblems();

    @Test
    void readsTheBusinessTimeWithItsOffsetAsAnInstant() {
        // given
        ObjectNode payload = payload().put("occurredAt", "2011-10-01T00:38:44.546+02:00");

        // when
        List<EventDraft> events = events(payload);

        // then
        assertThat(problems.list()).isEmpty();
        assertThat(events).singleElement().satisfies(event -> {
            assertThat(event.occurredAt()).isEqualTo(Instant.parse("2011-09-30T22:38:44.546Z"));
            assertThat(((ActivityRecorded) event.payload()).getOccurredAt()).isEqualTo(event.occurredAt());
        });
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "2011-10-01T00:38:44.546",
                "2011-10-01",
                "yesterday",
                "1317422324546",
                "2011-10-01 00:38:44+02:00",
                "2011-13-01T00:38:44Z"
            })
    void refusesABusinessTimeThatIsNotAnIsoDateTimeWithAnOffset(String occurredAt) {
        // given
        ObjectNode payload = payload().put("occurredAt", occurredAt);

        // when
        events(payload);

        // then
        assertThat(problems.list()).extracting(FieldError::pointer).containsExactly("/payload/occurredAt");
    }

    @Test
    void refusesABusinessTimeFinerThanMicroseconds() {
        // given
        ObjectNode payload = payload().put("occurredAt", "2011-10-01T00:38:44.123456789Z");

        // when
        events(payload);

        // then
        assertThat(problems.list())
                .containsExactly(new FieldError("/payload/occurredAt", "must have at most microsecond precision"));
    }

    @Test
    void refusesAMissingBusinessTime() {
        // given
        ObjectNode payload = payload();
        payload.remove("occurredAt");

        // when
        events(payload);

        // then
        assertThat(problems.list()).containsExactly(new FieldError("/payload/occurredAt", "is required"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   ", "\t", "\u00A0\u00A0", "\u200B", "\u202F\u2060", "\uFEFF\u00AD"})
    void refusesABlankActivity(String activity) {
        // given
        ObjectNode payload = payload().put("activity", activity);

        // when
        events(payload);

        // then
        assertThat(problems.list()).containsExactly(new FieldError("/payload/activity", "must not be blank"));
    }

    @Test
    void refusesAnActivityThatIsNotAString() {
        // given
        ObjectNode payload = payload();
        payload.putArray("activity").add("A_SUBMITTED");

        // when
        events(payload);

        // then
        assertThat(problems.list()).containsExactly(new FieldError("/payload/activity", "must be a string"));
    }

    @Test
    void refusesAttributeValuesThatAreNotStrings() {
        // given
        ObjectNode payload = payload();
        payload.putObject("attributes").put("amount", 20000).put("note", "ok").putNull("gone");

        // when
        events(payload);

        // then
        assertThat(problems.list())
                .containsExactly(
                        new FieldError("/payload/attributes/amount", "must be a string"),
                        new FieldError("/payload/attributes/gone", "must be a string"));
    }

    @Test
    void refusesAttributesThatAreNotAnObject() {
        // given
        ObjectNode payload = payload();
        payload.putArray("attributes").add("amount=20000");

        // when
        events(payload);

        // then
        assertThat(problems.list()).containsExactly(new FieldError("/payload/attributes", "must be a JSON object"));
    }

    @Test
    void refusesTextThatAvroWouldSilentlyChange() {
        // given
        ObjectNode payload = payload().put("resource", "User\uD800");

        // when
        events(payload);

        // then
        assertThat(problems.list())
                .containsExactly(
                        new FieldError("/payload/resource", "must be valid Unicode text without NUL characters"));
    }

    @Test
    void refusesNulInAnyTextBecauseNoReadModelCouldStoreIt() {
        // given
        ObjectNode payload = payload().put("activity", "A_\u0000X");
        payload.putObject("attributes").put("note", "a\u0000b");

        // when
        events(payload);

        // then
        assertThat(problems.list())
                .containsExactlyInAnyOrder(
                        new FieldError("/payload/activity", "must be valid Unicode text without NUL characters"),
                        new FieldError(
                                "/payload/attributes/note", "must be valid Unicode text without NUL characters"));
    }

    @Test
    void refusesLifecycleThatIsNotAString() {
        // given
        ObjectNode payload = payload().put("lifecycle", true);

        // when
        events(payload);

        // then
        assertThat(problems.list()).containsExactly(new FieldError("/payload/lifecycle", "must be a string"));
    }

    private List<EventDraft> events(ObjectNode payload) {
        JsonFields fields = JsonFields.of(payload, JsonPointer.compile("/payload"), problems)
                .orElseThrow();
        return recordActivity.events(fields);
    }

    private static ObjectNode payload() {
        ObjectNode payload = JSON.createObjectNode();
        payload.put("activity", "W_Completeren aanvraag");
        payload.put("occurredAt", "2011-10-01T00:38:44.546+02:00");
        return payload;
    }
}
