package io.polyglot.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.polyglot.dashboard.views.ViewCatalog;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The answers to requests that no route takes: the ones Jetty refuses before the dashboard sees them (sent over a raw
 * socket, since {@link URI} refuses to build such paths), a known path asked with another method, and a page or
 * reading endpoint asked with a query parameter it does not take, one given twice, or a value outside the ones the
 * parameter can have, which is refused naming it rather than ignored or replaced by another value, and HEAD, which
 * answers the status and headers of a GET.
 */
class HttpErrorsEndpointTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dataDir;

    private static TestDashboard dashboard;

    @BeforeAll
    static void startTheDashboard() {
        dashboard = TestDashboard.start(dataDir, Clock.systemUTC());
    }

    @AfterAll
    static void stopTheDashboard() {
        if (dashboard != null) {
            dashboard.close();
        }
    }

    @Test
    void answersAPathWithAnIncompleteEscapeWithProblemJson() throws Exception {
        assertProblem(raw("GET", "/api/aggregates/HelpdeskTicket/%"), 400, "bad-request");
    }

    @Test
    void answersAPathWithAnEscapeOfNoHexDigitsWithProblemJson() throws Exception {
        assertProblem(raw("GET", "/api/aggregates/HelpdeskTicket/%zz"), 400, "bad-request");
    }

    @Test
    void answersAPathWithAnEscapedNulWithProblemJson() throws Exception {
        assertProblem(raw("GET", "/api/aggregates/HelpdeskTicket/a%00b"), 400, "bad-request");
    }

    @Test
    void answersAPathOf20000CharactersWith414ProblemJson() throws Exception {
        assertProblem(raw("GET", "/api/aggregates/HelpdeskTicket/" + "a".repeat(20_000)), 414, "uri-too-long");
    }

    @Test
    void answersAWrongMethodOnTheSeedRouteWith405AndTheMethodsItTakes() throws Exception {
        // when
        HttpResponse<String> response = dashboard.send(HttpRequest.newBuilder(URI.create(dashboard.url("/api/seed")))
                .header("Authorization", "Bearer " + TestDashboard.TOKEN)
                .PUT(HttpRequest.BodyPublishers.noBody())
                .build());

        // then
        assertThat(response.statusCode()).isEqualTo(405);
        assertThat(response.headers().firstValue("Allow").orElse(""))
                .contains("GET")
                .contains("POST");
        assertThat(JSON.readTree(response.body()).path("type").asText())
                .isEqualTo("urn:polyglot:problem:method-not-allowed");
    }

    @Test
    void answersAGetOfTheRebuildRouteWith405AndPost() throws Exception {
        // when
        HttpResponse<String> response = dashboard.get("/api/sync/rebuild");

        // then
        assertThat(response.statusCode()).isEqualTo(405);
        assertThat(response.headers().firstValue("Allow")).contains("POST");
    }

    @Test
    void takesTheMethodOfTheRequestLineAndNoneFromAMethodOverrideHeader() throws Exception {
        for (String header : List.of("X-HTTP-Method-Override", "X-HTTP-Method", "X-Method-Override")) {
            // when: a POST of a route that only answers GET asks to be taken for a GET, and a GET of the sign-out
            // asks to be taken for the POST that signs out
            HttpResponse<String> list = dashboard.send(authorized("/api/views")
                    .header(header, "GET")
                    .POST(HttpRequest.BodyPublishers.noBody())
                    .build());
            HttpResponse<String> signOut = dashboard.send(
                    authorized("/signout").header(header, "POST").GET().build());

            // then: each is the method of its request line, which the route does not take
            assertThat(list.statusCode()).as(header).isEqualTo(405);
            assertThat(list.headers().firstValue("Allow")).as(header).hasValue("GET");
            assertThat(JSON.readTree(list.body()).path("detail").asText())
                    .as(header)
                    .startsWith("POST /api/views is not answered here");
            assertThat(signOut.statusCode()).as(header).isEqualTo(405);
            assertThat(signOut.headers().firstValue("Allow")).as(header).hasValue("POST");
            assertThat(signOut.headers().firstValue("Set-Cookie")).as(header).isEmpty();
        }
    }

    private static HttpRequest.Builder authorized(String path) {
        return HttpRequest.newBuilder(URI.create(dashboard.url(path)))
                .header("Authorization", "Bearer " + TestDashboard.TOKEN);
    }

    @Test
    void stillAnswersAnUnknownPathWith404() throws Exception {
        assertThat(dashboard.get("/api/nothing-here").statusCode()).isEqualTo(404);
    }

    @Test
    void refusesTheGridOfAViewThatDoesNotExistNamingTheViewsThatDo() throws Exception {
        // when
        HttpResponse<String> response = dashboard.get("/grid?view=nope");

        // then
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.headers().firstValue("Content-Type")).hasValue(Problems.MEDIA_TYPE);
        JsonNode problem = JSON.readTree(response.body());
        assertThat(problem.path("type").asText()).isEqualTo("urn:polyglot:problem:invalid-parameter");
        assertThat(problem.path("parameter").asText()).isEqualTo("view");
        assertThat(problem.path("detail").asText()).contains("'nope'");
        assertThat(ViewCatalog.VIEWS)
                .allSatisfy(view -> assertThat(problem.path("detail").asText()).contains(view));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(
            strings = {
                "/grid",
                "/grid?view=helpdesk_tickets",
                "/grid?view=",
                "/events?type=HelpdeskTicket&id=Case+1",
                "/events?topic=events.dlq&partition=2&offset=40",
                "/signin?next=%2Fgrid",
                "/overview",
                "/api/views",
                "/api/views/helpdesk_tickets/columns",
                "/api/seed",
            })
    void servesThePagesAndEndpointsWithTheParametersTheyTake(String path) throws Exception {
        assertThat(dashboard.get(path).statusCode()).isEqualTo(200);
    }

    @ParameterizedTest(name = "{0} names {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "/grid?view=Helpdesk_Tickets | view",
                "/grid?view=helpdesk_tickets&view=weather_daily | view",
                "/grid?views=helpdesk_tickets | views",
                "/events?topic=commands | topic",
                "/events?aggregate=Case+1 | aggregate",
                "/overview?refresh=5 | refresh",
                "/dead-letters?group=nope | group",
                "/seed?file=x.csv | file",
                "/sync?view=nope | view",
                "/signin?then=%2Fgrid | then",
                "/api/views?view=nope | view",
                "/api/views/helpdesk_tickets/columns?all=true | all",
                "/api/overview?since=10 | since",
                "/api/seed?verbose=1 | verbose",
                "/api/seed/files?under=logs | under",
                "/api/sync?worker=archiver | worker",
                "/api/sync/verification?id=1 | id",
            })
    void refusesAParameterOrAValueThatARouteDoesNotTakeNamingIt(String path, String parameter) throws Exception {
        // when
        HttpResponse<String> response = dashboard.get(path);

        // then
        assertThat(response.statusCode()).isEqualTo(400);
        JsonNode problem = JSON.readTree(response.body());
        assertThat(problem.path("type").asText()).isEqualTo("urn:polyglot:problem:invalid-parameter");
        assertThat(problem.path("parameter").asText()).isEqualTo(parameter);
    }

    @Test
    void refusesASeedFromASourceThatIsNeitherTheFolderNorAnUpload() throws Exception {
        // when
        HttpResponse<String> response = dashboard.postForm(
                "/api/seed", Map.of("source", "url", "file", "weather.csv", "type", "WeatherStation"));

        // then
        assertThat(response.statusCode()).isEqualTo(400);
        JsonNode problem = JSON.readTree(response.body());
        assertThat(problem.path("parameter").asText()).isEqualTo("source");
        assertThat(problem.path("detail").asText()).contains("folder").contains("upload");
    }

    /** {@code HEAD} answers what {@code GET} would (RFC 9110), a found resource and a missing one alike. */
    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "/api/views, 200",
        "/api/views/helpdesk_tickets?size=1, 200",
        "/api/views/helpdesk_tickets/columns, 200",
        "/overview, 200",
        "/health/live, 200",
        "/api/views/nope, 404",
        "/api/views/nope/columns, 404",
        "/api/topics/nope, 404",
        "/api/views/helpdesk_tickets?size=0, 400",
        "/api/views?nope=1, 400",
        "/api/nothing-here, 404",
        "/api/sync/rebuild, 405"
    })
    void answersAHeadWithTheStatusAndHeadersOfAGetWithoutTheBody(String path, int status) throws Exception {
        dashboard.assertHeadAnswersAsGet(path, status);
    }

    private static void assertProblem(String response, int status, String type) throws IOException {
        String head = response.substring(0, Math.max(response.indexOf("\r\n\r\n"), 0));
        assertThat(head).as(response).startsWith("HTTP/1.1 " + status);
        assertThat(head.toLowerCase(java.util.Locale.ROOT)).contains("content-type: application/problem+json");
        JsonNode problem = JSON.readTree(response.substring(response.indexOf("\r\n\r\n") + 4));
        assertThat(problem.path("status").asInt()).isEqualTo(status);
        assertThat(problem.path("title").asText()).isNotBlank();
        assertThat(problem.path("type").asText()).isEqualTo("urn:polyglot:problem:" + type);
    }

    /** Sends {@code method target} as written, over a socket, and reads the whole answer. */
    private static String raw(String method, String target) throws IOException {
        URI base = URI.create(dashboard.url("/"));
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), base.getPort())) {
            OutputStream out = socket.getOutputStream();
            out.write((method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
                            + TestDashboard.TOKEN + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
