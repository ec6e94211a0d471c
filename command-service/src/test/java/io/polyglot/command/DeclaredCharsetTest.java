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
import java.util.Locale;
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

    static Stream<Arguments> wholeUtf8Values() {
        return Stream.of(SINGLE, BATCH).flatMap(path -> {
            String type = mediaTypeOf(path);
            return Stream.of(
                            type,
                            type + ";charset=UTF-8",
                            type + "; charset=\"utf-8\"",
                            type.toUpperCase(Locale.ROOT) + "; Charset=utf-8",
                            type + "; profile=\"urn:example;v=1\"; charset=utf-8; q=1",
                            type + " ;\tcharset=utf-8;")
                    .map(value -> Arguments.of(path, value));
        });
    }

    @ParameterizedTest(name = "{0} with \"{1}\"")
    @MethodSource("wholeUtf8Values")
    void takesAWellFormedContentTypeOfUtf8WithUnrelatedParameters(String path, String contentType) throws IOException {
        // given
        ObjectNode command = command();

        // when
        HttpResponse<String> response =
                post(path, contentType, (command.toString() + "\n").getBytes(StandardCharsets.UTF_8));

        // then
        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode answer = RunningCommandService.JSON.readTree(response.body().strip());
        assertThat(answer.get("status").asText()).isEqualTo("accepted");
    }

    static Stream<Arguments> unreadableParameters() {
        return Stream.of(SINGLE, BATCH)
                .flatMap(path -> Stream.of(
                                Arguments.of("; charset=\"utf-8\"latin1", "'latin1' follows the value of parameter"),
                                Arguments.of(
                                        "; charset=\"utf-8", "the quoted value of parameter 'charset' is not closed"),
                                Arguments.of("; charset=", "parameter 'charset' has no value after '='"),
                                Arguments.of("; charset", "parameter 'charset' has no '=' and value"),
                                Arguments.of("; utf-8", "parameter 'utf-8' has no '=' and value"),
                                Arguments.of(
                                        " garbage; charset=utf-8", "'garbage; charset=utf-8' follows the media type"),
                                Arguments.of(", text/plain", "', text/plain' follows the media type"))
                        .map(arguments ->
                                Arguments.of(path, arguments.get()[0], arguments.get()[1])));
    }

    @ParameterizedTest(name = "{0} with \"{1}\"")
    @MethodSource("unreadableParameters")
    void refusesAContentTypeItCannotReadAsAnUnsupportedMediaTypeSayingWhereNeverGuessingUtf8(
            String path, String parameters, String reason) {
        // given: a good command in UTF-8, so a service that guessed UTF-8 would take it
        long before = running.committedCount(Topics.COMMANDS);
        String contentType = mediaTypeOf(path) + parameters;

        // when
        HttpResponse<String> response =
                post(path, contentType, (command().toString() + "\n").getBytes(StandardCharsets.UTF_8));

        // then
        assertProblem(response, 415, "unsupported-media-type");
        assertThat(json(response).get("detail").asText())
                .contains("was Content-Type '" + contentType + "', which cannot be read: ")
                .contains(reason)
                .contains(mediaTypeOf(path) + " in UTF-8");
        assertThat(running.committedCount(Topics.COMMANDS)).isEqualTo(before);
    }

    static Stream<Arguments> extendedCharsets() {
        return Stream.of(SINGLE, BATCH)
                .flatMap(path -> Stream.of("; charset*=utf-8''x", "; charset*=UTF-8''utf-8", "; charset*0=utf-8")
                        .map(parameter -> Arguments.of(path, parameter)));
    }

    @ParameterizedTest(name = "{0} with \"{1}\"")
    @MethodSource("extendedCharsets")
    void refusesACharsetInTheExtendedNotationAsAnUnsupportedMediaType(String path, String parameter) {
        // given
        long before = running.committedCount(Topics.COMMANDS);

        // when
        HttpResponse<String> response = post(
                path, mediaTypeOf(path) + parameter, (command().toString() + "\n").getBytes(StandardCharsets.UTF_8));

        // then
        assertProblem(response, 415, "unsupported-media-type");
        assertThat(json(response).get("detail").asText())
                .contains("was declared with parameter charset*")
                .contains("the extended notation of RFC 8187, which is not read");
        assertThat(running.committedCount(Topics.COMMANDS)).isEqualTo(before);
    }

    static Stream<Arguments> twoContentTypes() {
        return Stream.of(SINGLE, BATCH)
                .flatMap(path -> Stream.of(
                        Arguments.of(path, mediaTypeOf(path), "text/plain"),
                        Arguments.of(path, "text/plain", mediaTypeOf(path)),
                        Arguments.of(path, mediaTypeOf(path), mediaTypeOf(path) + "; charset=utf-8")));
    }

    @ParameterizedTest(name = "{0} with {1} and {2}")
    @MethodSource("twoContentTypes")
    void refusesARequestWithTwoContentTypesAsABadRequestNamingBoth(String path, String first, String second) {
        // given
        long before = running.committedCount(Topics.COMMANDS);
        byte[] body = (command().toString() + "\n").getBytes(StandardCharsets.UTF_8);

        // when
        HttpResponse<String> response = running.send(running.authorized(HttpRequest.newBuilder(running.uri(path)))
                .timeout(Duration.ofSeconds(60))
                .header("Content-Type", first)
                .header("Content-Type", second)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build());

        // then
        assertProblem(response, 400, "bad-request");
        assertThat(json(response).get("detail").asText())
                .isEqualTo("the request has 2 Content-Type headers ('" + first + "', '" + second
                        + "'); HTTP allows one, so the body's media type is ambiguous");
        assertThat(running.committedCount(Topics.COMMANDS)).isEqualTo(before);
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
