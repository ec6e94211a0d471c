package io.polyglot.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Locale;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every answer of the dashboard is UTF-8, read here byte for byte with a decoder that refuses anything else: problem
 * answers whose detail repeats text outside Latin-1 (€, 日本), the view rows, the CSV export and the pages, which say
 * charset=utf-8 where their media type takes a charset.
 */
class Utf8AnswersTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TEXT = "é€日本";

    @TempDir
    static Path dataDir;

    private static TestDashboard dashboard;

    @BeforeAll
    static void startTheDashboard() throws Exception {
        dashboard = TestDashboard.start(dataDir, Clock.systemUTC());
        dashboard.execute("INSERT INTO projection.helpdesk_ticket (ticket_id, status, opened_at, last_event_at,"
                + " event_count, aggregate_version, source_partition, source_offset) VALUES ('" + TEXT
                + "', 'Geschlossen "
                + TEXT + "', now(), now(), 1, 1, 0, 1)");
    }

    @AfterAll
    static void stopTheDashboard() {
        if (dashboard != null) {
            dashboard.close();
        }
    }

    @Test
    void answersAnUnknownViewWithItsNameInUtf8() throws Exception {
        JsonNode problem = problem(get("/api/views/" + escaped(TEXT)), 404);

        assertThat(problem.path("detail").asText()).contains(TEXT);
    }

    @Test
    void answersABadFilterWithItsTextInUtf8() throws Exception {
        JsonNode problem = problem(get("/api/views/helpdesk_tickets?filter=status:eq" + escaped(TEXT) + ":x"), 400);

        assertThat(problem.path("detail").asText()).contains("eq" + TEXT);
    }

    @Test
    void answersADeadLetterDecisionOnAPartitionThatIsNoNumberInUtf8() throws Exception {
        HttpResponse<byte[]> response = dashboard
                .client()
                .send(
                        authorized("/api/dead-letters/polyglot-archiver/" + escaped(TEXT) + "/0/skip")
                                .POST(HttpRequest.BodyPublishers.noBody())
                                .build(),
                        HttpResponse.BodyHandlers.ofByteArray());

        JsonNode problem = problem(response, 400);

        assertThat(problem.path("detail").asText()).contains("'" + TEXT + "'");
    }

    @Test
    void servesTheRowsOfAViewInUtf8() throws Exception {
        HttpResponse<byte[]> response = get("/api/views/helpdesk_tickets");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(contentType(response)).startsWith("application/json");
        assertThat(strictUtf8(response.body())).contains("Geschlossen " + TEXT);
    }

    @Test
    void exportsAViewInUtf8() throws Exception {
        HttpResponse<byte[]> response = get("/api/views/helpdesk_tickets.csv");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(contentType(response)).isEqualTo("text/csv;charset=utf-8");
        assertThat(strictUtf8(response.body())).contains("Geschlossen " + TEXT);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"/overview", "/grid", "/events", "/dead-letters", "/seed", "/sync", "/signin"})
    void servesThePagesInUtf8SayingSo(String path) throws Exception {
        HttpResponse<byte[]> response = get(path);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(contentType(response)).isEqualTo("text/html;charset=utf-8");
        assertThat(strictUtf8(response.body())).contains("<html");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(
            strings = {
                "/assets/overview.js",
                "/assets/sync.js",
                "/assets/dashboard.css",
                "/webjars/echarts/5.3.1/dist/echarts.min.js",
                "/webjars/tabulator-tables/6.3.1/dist/js/tabulator.min.js",
                "/webjars/tabulator-tables/6.3.1/dist/css/tabulator.min.css"
            })
    void servesTheAssetsInUtf8SayingSo(String path) throws Exception {
        HttpResponse<byte[]> response = get(path);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(contentType(response)).endsWith(";charset=utf-8");
        strictUtf8(response.body());
    }

    private static JsonNode problem(HttpResponse<byte[]> response, int status) throws Exception {
        assertThat(response.statusCode()).isEqualTo(status);
        assertThat(contentType(response)).startsWith(Problems.MEDIA_TYPE);
        JsonNode problem = JSON.readTree(strictUtf8(response.body()));
        assertThat(problem.path("status").asInt()).isEqualTo(status);
        return problem;
    }

    /** The Content-Type as sent, lower case and without spaces, so {@code ; charset=UTF-8} compares alike. */
    private static String contentType(HttpResponse<?> response) {
        return response.headers()
                .firstValue("Content-Type")
                .orElse("")
                .toLowerCase(Locale.ROOT)
                .replace(" ", "");
    }

    private static String strictUtf8(byte[] body) throws CharacterCodingException {
        return StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(body))
                .toString();
    }

    private static String escaped(String text) {
        return java.net.URLEncoder.encode(text, StandardCharsets.UTF_8);
    }

    private static HttpResponse<byte[]> get(String path) throws Exception {
        return dashboard.client().send(authorized(path).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static HttpRequest.Builder authorized(String path) {
        return HttpRequest.newBuilder(URI.create(dashboard.url(path)))
                .header("Authorization", "Bearer " + TestDashboard.TOKEN);
    }
}
