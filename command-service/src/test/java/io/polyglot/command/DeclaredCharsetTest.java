package io.polyglot.command;

import static io.polyglot.command.RunningCommandService.json;
import static io.polyglot.command.SingleCommandTest.assertProblem;
import static io.polyglot.command.intake.ValidCommands.recordActivity;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.polyglot.schemas.Topics;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The charset a command's {@code Content-Type} declares, on the single and the batch route alike. */
class DeclaredCharsetTest {

    private static final String SINGLE = "/v1/commands";
    private static final String BATCH = "/v1/commands:batch";

    @TempDir
    static Path dataDir;

    static RunningCommandService running;

    @BeforeAll
    static void start() {
        running = RunningCommandService.start(dataDir, Map.of());
    }

    @AfterAll
    static void stop() {
        running.close();
    }

    static Stream<Arguments> otherCharsets() {
        return Stream.of(SINGLE, BATCH)
                .flatMap(path -> Stream.of(
                        Arguments.of(path, "ISO-8859-1", "ISO-8859-1", StandardCharsets.ISO_8859_1),
                        Arguments.of(path, "UTF-16", "UTF-16", StandardCharsets.UTF_16),
                        Arguments.of(path, "\"windows-1252\"", "windows-1252", Charset.forName("windows-1252"))));
    }

    @ParameterizedTest(name = "{0} with charset={1}")
    @MethodSource("otherCharsets")
    void refusesABodyDeclaredInAnotherCharsetAsAnUnsupportedMediaTypeNamingUtf8(
            String path, String declared, String named, Charset encoding) {
        // given: a good command with a letter outside ASCII, written in the charset its Content-Type declares
        long before = running.committedCount(Topics.COMMANDS);
        byte[] body = (command().toString() + "\n").getBytes(encoding);

        // when
        HttpResponse<String> response = post(path, mediaTypeOf(path) + "; charset=" + declared, body);

        // then
        assertProblem(response, 415, "unsupported-media-type");
        assertThat(json(response).get("detail").asText())
                .contains(mediaTypeOf(path))
                .contains("charset=utf-8")
                .contains("was declared charset=" + named);
        assertThat(running.committedCount(Topics.COMMANDS)).isEqualTo(before);
    }

    static Stream<Arguments> utf8Spellings() {
        return Stream.of(SINGLE, BATCH)
                .flatMap(path -> Stream.of("; charset=utf-8", ";charset=UTF-8", "; Charset=\"utf-8\"", "")
                        .map(parameter -> Arguments.of(path, parameter)));
    }

    @ParameterizedTest(name = "{0} with \"{1}\"")
    @MethodSource("utf8Spellings")
    void takesABodyDeclaredInUtf8HoweverTheCharsetIsSpelled(String path, String parameter) throws IOException {
        // given
        ObjectNode command = command();

        // when
        HttpResponse<String> response =
                post(path, mediaTypeOf(path) + parameter, (command.toString() + "\n").getBytes(StandardCharsets.UTF_8));

        // then
        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode answer = RunningCommandService.JSON.readTree(response.body().strip());
        assertThat(answer.get("status").asText()).isEqualTo("accepted");
        assertThat(answer.get("commandId").asText())
                .isEqualTo(command.get("commandId").asText());
    }

    /** A good command of a new aggregate whose resource holds letters outside ASCII. */
    private static ObjectNode command() {
        String id = UUID.randomUUID().toString();
        ObjectNode command = recordActivity("charset-" + id, "case-" + id);
        ((ObjectNode) command.get("payload")).put("resource", "Zoë Müller");
        return command;
    }

    private static String mediaTypeOf(String path) {
        return path.equals(SINGLE) ? "application/json" : "application/x-ndjson";
    }

    private static HttpResponse<String> post(String path, String contentType, byte[] body) {
        return running.send(running.authorized(HttpRequest.newBuilder(running.uri(path)))
                .timeout(Duration.ofSeconds(60))
                .header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build());
    }
}
