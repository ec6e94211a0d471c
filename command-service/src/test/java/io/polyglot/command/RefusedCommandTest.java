package io.polyglot.command;

import static io.polyglot.command.RunningCommandService.json;
import static io.polyglot.command.SingleCommandTest.assertProblem;
import static io.polyglot.command.intake.ValidCommands.recordActivity;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.polyglot.schemas.Topics;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Bad commands over HTTP: each gets its problem, and nothing reaches the topic. */
class RefusedCommandTest {

    private static final int REQUEST_MAX_BYTES = 65_536;
    private static final int COMMAND_MAX_BYTES = 4_096;

    @TempDir
    static Path dataDir;

    static RunningCommandService running;

    @BeforeAll
    static void start() {
        running = RunningCommandService.start(
                dataDir,
                Map.of(
                        "REQUEST_MAX_BYTES", Integer.toString(REQUEST_MAX_BYTES),
                        "COMMAND_MAX_BYTES", Integer.toString(COMMAND_MAX_BYTES)));
    }

    @AfterAll
    static void stop() {
        running.close();
    }

    static Stream<Arguments> badCommands() {
        return Stream.of(
                bad("a malformed body", "{\"commandId\": ", 400, "malformed-json", null),
                bad(
                        "an unknown command type",
                        with(c -> c.put("type", "CloseCase")),
                        400,
                        "unknown-command-type",
                        "/type"),
                bad(
                        "a payload that breaks its schema",
                        with(c -> ((ObjectNode) c.get("payload")).put("occurredAt", 1317422324546L)),
                        400,
                        "invalid-command",
                        "/payload/occurredAt"),
                bad("an unknown field", with(c -> c.put("colour", "red")), 400, "invalid-command", "/colour"),
                bad(
                        "a blank aggregate id",
                        with(c -> c.put("aggregateId", "  ")),
                        400,
                        "invalid-command",
                        "/aggregateId"),
                bad(
                        "a traversal in the aggregate type",
                        with(c -> c.put("aggregateType", "../x")),
                        400,
                        "invalid-command",
                        "/aggregateType"),
                bad(
                        "a negative expected version",
                        with(c -> c.put("expectedVersion", -1)),
                        400,
                        "invalid-command",
                        "/expectedVersion"),
                bad(
                        "an expected version that is not a whole number",
                        with(c -> c.put("expectedVersion", 1.5)),
                        400,
                        "invalid-command",
                        "/expectedVersion"),
                bad(
                        "a payload over COMMAND_MAX_BYTES",
                        with(c -> ((ObjectNode) c.get("payload")).put("activity", "A".repeat(COMMAND_MAX_BYTES))),
                        413,
                        "payload-too-large",
                        null),
                bad(
                        "a body over REQUEST_MAX_BYTES",
                        with(c -> ((ObjectNode) c.get("payload")).put("resource", "R".repeat(REQUEST_MAX_BYTES))),
                        413,
                        "payload-too-large",
                        null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badCommands")
    void refusesABadCommandWithItsProblemAndProducesNothing(
            String what, String body, int status, String type, String pointer) {
        // given
        long before = running.committedCount(Topics.EVENTS_ALL);

        // when
        HttpResponse<String> response = running.postJson(body);

        // then
        assertProblem(response, status, type);
        if (pointer != null) {
            assertThat(json(response).get("errors"))
                    .extracting(error -> error.get("pointer").asText())
                    .contains(pointer);
        }
        assertThat(running.committedCount(Topics.EVENTS_ALL)).isEqualTo(before);
    }

    static Stream<Arguments> blankNames() {
        return Stream.of(
                Arguments.of("a command id of two no-break spaces", "/commandId", "\u00A0\u00A0"),
                Arguments.of("a command id of a zero-width space", "/commandId", "\u200B"),
                Arguments.of("an aggregate id of a no-break space", "/aggregateId", "\u00A0"),
                Arguments.of("a correlation id of narrow no-break spaces", "/correlationId", "\u202F\u2007"),
                Arguments.of("a causation id of a byte order mark and a word joiner", "/causationId", "\uFEFF\u2060"),
                Arguments.of("an activity of a soft hyphen", "/payload/activity", "\u00AD"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("blankNames")
    void refusesANameOfCharactersThatShowNothingAndProducesNothing(String what, String pointer, String blank) {
        // given
        long commandsBefore = running.committedCount(Topics.COMMANDS);
        long eventsBefore = running.committedCount(Topics.EVENTS_ALL);
        String body = with(c -> {
            ObjectNode parent = pointer.startsWith("/payload/") ? (ObjectNode) c.get("payload") : c;
            parent.put(pointer.substring(pointer.lastIndexOf('/') + 1), blank);
        });

        // when
        HttpResponse<String> response = running.postJson(body);

        // then
        assertProblem(response, 400, "invalid-command");
        assertThat(json(response).get("errors")).singleElement().satisfies(error -> {
            assertThat(error.get("pointer").asText()).isEqualTo(pointer);
            assertThat(error.get("message").asText()).startsWith("must not be").endsWith("blank");
        });
        assertThat(running.committedCount(Topics.COMMANDS)).isEqualTo(commandsBefore);
        assertThat(running.committedCount(Topics.EVENTS_ALL)).isEqualTo(eventsBefore);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"-1", "9223372036854775808", "99999999999999999999", "1e30"})
    void saysAnExpectedVersionOutsideItsRangeIsOutOfRangeAndNamesTheRange(String version) {
        // given: the number written as the client wrote it, not as a Java number would print it
        String body = with(c -> c.put("expectedVersion", "#")).replace("\"#\"", version);

        // when
        HttpResponse<String> response = running.postJson(body);

        // then
        assertProblem(response, 400, "invalid-command");
        JsonNode error = json(response).get("errors").get(0);
        assertThat(error.get("pointer").asText()).isEqualTo("/expectedVersion");
        assertThat(error.get("message").asText()).isEqualTo("is out of range: must be from 0 to 9223372036854775807");
    }

    static Stream<Arguments> versionSpellings() {
        String range = "is out of range: must be from 0 to 9223372036854775807";
        String written = "must be written as an integer, without a decimal point or an exponent";
        return Stream.of(
                Arguments.of("9223372036854775806.5", "must be an integer"),
                Arguments.of("5.5", "must be an integer"),
                Arguments.of("9223372036854775807.0", written),
                Arguments.of("9.2e18", written),
                Arguments.of("5e0", written),
                Arguments.of("9223372036854775808.0", range),
                Arguments.of("1e19", range),
                Arguments.of("1e308", range));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("versionSpellings")
    void saysWhatIsWrongWithTheExpectedVersionAsWrittenAndProducesNothing(String version, String message) {
        // given: the number written as the client wrote it, not as a Java number would print it
        long before = running.committedCount(Topics.COMMANDS);
        String body = with(c -> c.put("expectedVersion", "#")).replace("\"#\"", version);

        // when
        HttpResponse<String> response = running.postJson(body);

        // then
        assertProblem(response, 400, "invalid-command");
        assertThat(json(response).get("errors")).singleElement().satisfies(error -> {
            assertThat(error.get("pointer").asText()).isEqualTo("/expectedVersion");
            assertThat(error.get("message").asText()).isEqualTo(message);
        });
        assertThat(running.committedCount(Topics.COMMANDS)).isEqualTo(before);
    }

    @ParameterizedTest(name = "{0} digits")
    @ValueSource(strings = {"400", "400.5"})
    void saysAVersionOfHundredsOfDigitsIsLongerThanTheReaderTakesAndProducesNothing(String length) {
        // given
        long before = running.committedCount(Topics.COMMANDS);
        String digits = "9".repeat(400) + (length.endsWith(".5") ? ".5" : "");
        String body = with(c -> c.put("expectedVersion", "#")).replace("\"#\"", digits);

        // when
        HttpResponse<String> response = running.postJson(body);

        // then
        assertProblem(response, 400, "malformed-json");
        assertThat(json(response).get("detail").asText())
                .startsWith("the body goes beyond what the service reads as JSON: Number value length (")
                .contains("exceeds the maximum allowed (64")
                .endsWith(" at /expectedVersion");
        assertThat(running.committedCount(Topics.COMMANDS)).isEqualTo(before);
    }

    @Test
    void refusesADeclaredOversizedBodyBeforeReadingAByteOfIt() throws IOException {
        // given: a client that announces a large body and then waits for "100 Continue" before sending any of it
        long before = running.committedCount(Topics.EVENTS_ALL);
        int declared = REQUEST_MAX_BYTES * 16;
        String head = "POST /v1/commands HTTP/1.1\r\n"
                + "Host: 127.0.0.1\r\n"
                + "Content-Type: application/json\r\n"
                + "Content-Length: " + declared + "\r\n"
                + "Expect: 100-continue\r\n"
                + "\r\n";

        // when
        String answer = RawHttp.exchange(running.service.port(), head);

        // then
        assertThat(answer).startsWith("HTTP/1.1 413");
        assertThat(answer).doesNotContain("100 Continue");
        assertThat(answer).contains("urn:polyglot:problem:payload-too-large").contains(Integer.toString(declared));
        assertThat(running.committedCount(Topics.EVENTS_ALL)).isEqualTo(before);
    }

    @Test
    void producesAGoodCommandSentBetweenBadOnes() {
        // given: the refusals above are only meaningful if a good command does move the end offsets
        long before = running.committedCount(Topics.EVENTS_ALL);

        // when
        HttpResponse<String> response =
                running.postJson(recordActivity("refused-good-1", "g-1").toString());

        // then
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(running.committedCount(Topics.EVENTS_ALL)).isEqualTo(before + 1);
    }

    private static Arguments bad(String what, String body, int status, String type, String pointer) {
        return Arguments.of(what, body, status, type, pointer);
    }

    private static String with(Consumer<ObjectNode> change) {
        ObjectNode command = recordActivity("refused-1", "r-1");
        change.accept(command);
        return command.toString();
    }
}
