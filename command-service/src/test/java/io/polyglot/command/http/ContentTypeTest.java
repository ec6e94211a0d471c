package io.polyglot.command.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** How a {@code Content-Type} value is read, and which values a route of JSON in UTF-8 takes. */
class ContentTypeTest {

    private static final String JSON = "application/json";

    static Stream<Arguments> wellFormed() {
        return Stream.of(
                Arguments.of("application/json", List.of()),
                Arguments.of("application/json;charset=UTF-8", List.of("UTF-8")),
                Arguments.of("application/json; charset=\"utf-8\"", List.of("utf-8")),
                Arguments.of("APPLICATION/JSON; Charset=utf-8", List.of("utf-8")),
                Arguments.of("application/json; profile=\"urn:x;y\"; charset=utf-8; v=1", List.of("utf-8")),
                Arguments.of("application/json ;\tcharset=utf-8 ", List.of("utf-8")),
                Arguments.of("application/json;", List.of()),
                Arguments.of("application/json;;charset=utf-8", List.of("utf-8")),
                Arguments.of("application/json; charset=\"u\\tf-8\"", List.of("utf-8")),
                Arguments.of("application/json; title*=UTF-8''caf%C3%A9", List.of()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("wellFormed")
    void readsAWellFormedValueThatTheJsonRouteTakes(String value, List<String> charsets) {
        // when
        ContentType contentType = ContentType.parse(value);

        // then
        assertThat(contentType.mediaType()).isEqualTo(JSON);
        assertThat(contentType.values("charset")).isEqualTo(charsets);
        RequestBodies.requireMediaType(contentType, JSON);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("wellFormed")
    void readsTheSameValuesOfNdjsonForTheBatchRouteWhichTheJsonRouteRefuses(String value) {
        // when
        ContentType contentType =
                ContentType.parse(value.replace("json", "x-ndjson").replace("JSON", "X-NDJSON"));

        // then
        assertThat(contentType.mediaType()).isEqualTo("application/x-ndjson");
        RequestBodies.requireMediaType(contentType, "application/x-ndjson");
        assertThatThrownBy(() -> RequestBodies.requireMediaType(contentType, JSON))
                .isInstanceOf(UnsupportedMediaType.class)
                .hasMessageContaining("was application/x-ndjson");
    }

    static Stream<Arguments> malformed() {
        return Stream.of(
                Arguments.of(
                        "application/json; charset=\"utf-8\"latin1",
                        "'latin1' follows the value of parameter 'charset' where ';' or the end belongs"),
                Arguments.of(
                        "application/json; charset=\"utf-8", "the quoted value of parameter 'charset' is not closed"),
                Arguments.of(
                        "application/json; charset=\"utf-8\\", "the quoted value of parameter 'charset' is not closed"),
                Arguments.of("application/json; charset=", "parameter 'charset' has no value after '='"),
                Arguments.of("application/json; charset= utf-8", "parameter 'charset' has no value after '='"),
                Arguments.of("application/json; charset =utf-8", "parameter 'charset' has no '=' and value"),
                Arguments.of("application/json; charset", "parameter 'charset' has no '=' and value"),
                Arguments.of("application/json; utf-8", "parameter 'utf-8' has no '=' and value"),
                Arguments.of(
                        "application/json garbage", "'garbage' follows the media type where ';' or the end belongs"),
                Arguments.of(
                        "application/json, text/plain",
                        "', text/plain' follows the media type where ';' or the end belongs"),
                Arguments.of(
                        "application/json; charset=utf-8 latin1",
                        "'latin1' follows the value of parameter 'charset' where ';' or the end belongs"),
                Arguments.of("application/json; charset=utf-8,", "',' follows the value of parameter 'charset'"),
                Arguments.of("application/json/x", "'/x' follows the media type"),
                Arguments.of("application/json; =utf-8", "a parameter starts with '=', which no parameter name holds"),
                Arguments.of("application/json; charset=\"utf\u0000-8\"", "holds a control character"),
                Arguments.of("application", "the media type 'application' has no '/' and subtype"),
                Arguments.of("application/", "the media type has no subtype after '/'"),
                Arguments.of("/json", "it does not start with a media type (type/subtype)"),
                Arguments.of("\"application/json\"", "it does not start with a media type (type/subtype)"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void refusesAValueThatBreaksTheGrammarSayingWhere(String value, String reason) {
        assertThatThrownBy(() -> ContentType.parse(value))
                .isInstanceOf(ContentType.Unreadable.class)
                .hasMessageContaining(reason);
    }

    static Stream<String> extendedCharsets() {
        return Stream.of(
                "application/json; charset*=utf-8''x",
                "application/json; Charset*=UTF-8''utf-8",
                "application/json; charset*0=utf-8",
                "application/json; charset*0*=utf-8''utf-8");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("extendedCharsets")
    void refusesACharsetInTheExtendedNotationItDoesNotRead(String value) {
        // given: well formed, a parameter name may hold '*'
        ContentType contentType = ContentType.parse(value);

        // then
        assertThatThrownBy(() -> RequestBodies.requireMediaType(contentType, JSON))
                .isInstanceOf(UnsupportedMediaType.class)
                .hasMessageContaining("the extended notation of RFC 8187, which is not read")
                .hasMessageContaining("was declared with parameter charset*");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("otherCharsets")
    void refusesAWellFormedCharsetOtherThanUtf8NamingIt(String value, String named) {
        // given
        ContentType contentType = ContentType.parse(value);

        // then
        assertThatThrownBy(() -> RequestBodies.requireMediaType(contentType, JSON))
                .isInstanceOf(UnsupportedMediaType.class)
                .hasMessageEndingWith("was declared charset=" + named);
    }

    static Stream<Arguments> otherCharsets() {
        return Stream.of(
                Arguments.of("application/json; charset=latin1", "latin1"),
                Arguments.of("application/json; charset=\"\"", "\"\""),
                Arguments.of("application/json; charset=utf-8; charset=utf-16", "utf-16"),
                Arguments.of("application/json; charset=\"utf-8 \"", "utf-8 "));
    }
}
