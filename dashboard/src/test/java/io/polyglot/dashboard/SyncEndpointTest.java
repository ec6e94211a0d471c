package io.polyglot.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.polyglot.runtime.AdminResponse;
import io.polyglot.runtime.AdminRoutes;
import io.polyglot.runtime.Metrics;
import io.polyglot.runtime.ServiceEndpoint;
import io.polyglot.runtime.TokenAccess;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.LoggerFactory;

/**
 * The Sync page's API against stand-in workers: real {@link ServiceEndpoint}s on random loopback ports that want the
 * stack's token and answer their admin routes as the test says, so the test sees what the dashboard asked and what it
 * relays.
 */
class SyncEndpointTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dataDir;

    private static final List<String> requests = new CopyOnWriteArrayList<>();
    private static final Map<String, AdminResponse> answers = new ConcurrentHashMap<>();
    private static ServiceEndpoint projection;
    private static ServiceEndpoint archiver;
    private static TestDashboard dashboard;

    @BeforeAll
    static void startTheWorkersAndTheDashboard() {
        TokenAccess access = TokenAccess.load(
                Map.of("POLYGLOT_TOKEN", TestDashboard.TOKEN),
                "127.0.0.1",
                LoggerFactory.getLogger(SyncEndpointTest.class));
        projection = ServiceEndpoint.start("127.0.0.1", 0, Metrics.registry("t"), () -> true, worker(), access);
        archiver = ServiceEndpoint.start("127.0.0.1", 0, Metrics.registry("t"), () -> true, worker(), access);
        dashboard = TestDashboard.start(
                dataDir,
                Clock.systemUTC(),
                Map.of(
                        "PROJECTION_HEALTH_URL", "http://127.0.0.1:" + projection.port(),
                        "ARCHIVER_HEALTH_URL", "http://127.0.0.1:" + archiver.port()));
    }

    @AfterAll
    static void stopEverything() {
        if (dashboard != null) {
            dashboard.close();
        }
        projection.close();
        archiver.close();
    }

    @BeforeEach
    void forgetTheRequests() {
        requests.clear();
        answers.clear();
    }

    @Test
    void startsARebuildOfTheChosenViewsOnTheProjectionWorkerAndRelaysItsAnswer() throws Exception {
        // given
        answers.put("POST /admin/rebuilds", new AdminResponse(202, "{\"state\":\"running\"}"));

        // when
        HttpResponse<String> started =
                dashboard.send(HttpRequest.newBuilder(URI.create(dashboard.url("/api/sync/rebuild")))
                        .header("Authorization", "Bearer " + TestDashboard.TOKEN)
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString("view=helpdesk_tickets&view=weather_daily"))
                        .build());

        // then: the worker's endpoint let the request through, so the dashboard sent the token
        assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
        assertThat(JSON.readTree(started.body()).path("state").asText()).isEqualTo("running");
        assertThat(requests).containsExactly("POST /admin/rebuilds view=helpdesk_tickets&view=weather_daily");
    }

    @Test
    void startsARebuildOfAViewNamedInTheQueryString() throws Exception {
        // given
        answers.put("POST /admin/rebuilds", new AdminResponse(202, "{\"state\":\"running\"}"));

        // when
        HttpResponse<String> started = dashboard.postForm("/api/sync/rebuild?view=loan_funnel", Map.of());

        // then
        assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
        assertThat(requests).containsExactly("POST /admin/rebuilds view=loan_funnel");
    }

    @Test
    void refusesAnUnknownViewInTheQueryStringWith400AndAsksTheWorkerNothing() throws Exception {
        // when
        HttpResponse<String> refused = dashboard.postForm("/api/sync/rebuild?view=nosuch", Map.of());

        // then
        assertThat(refused.statusCode()).isEqualTo(400);
        JsonNode problem = JSON.readTree(refused.body());
        assertThat(problem.path("type").asText()).isEqualTo("urn:polyglot:problem:invalid-parameter");
        assertThat(problem.path("parameter").asText()).isEqualTo("view");
        assertThat(requests).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(
            strings = {
                "/api/sync/rebuild?view=",
                "/api/sync/rebuild?view=%20",
                "/api/sync/rebuild?view=" + "&view=loan_funnel"
            })
    void refusesAViewGivenBlankInTheQueryStringWith400RatherThanRebuildingEveryView(String path) throws Exception {
        // when
        HttpResponse<String> refused = dashboard.postForm(path, Map.of());

        // then
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(400);
        JsonNode problem = JSON.readTree(refused.body());
        assertThat(problem.path("type").asText()).isEqualTo("urn:polyglot:problem:invalid-parameter");
        assertThat(problem.path("parameter").asText()).isEqualTo("view");
        assertThat(requests).isEmpty();
    }

    @Test
    void refusesAViewGivenBlankInTheFormWith400RatherThanRebuildingEveryView() throws Exception {
        // when
        HttpResponse<String> refused = dashboard.postForm("/api/sync/rebuild", Map.of("view", ""));

        // then
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(400);
        assertThat(JSON.readTree(refused.body()).path("parameter").asText()).isEqualTo("view");
        assertThat(requests).isEmpty();
    }

    @Test
    void refusesAnUnknownViewInTheFormWith400AndAsksTheWorkerNothing() throws Exception {
        // when
        HttpResponse<String> refused = dashboard.postForm("/api/sync/rebuild", Map.of("view", "nosuch"));

        // then
        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(refused.body()).path("parameter").asText()).isEqualTo("view");
        assertThat(requests).isEmpty();
    }

    @Test
    void refusesAVerificationWithAParameterItDoesNotTakeWith400() throws Exception {
        // when
        HttpResponse<String> refused = dashboard.postForm("/api/sync/verify?scope=HelpdeskTicket", Map.of());

        // then
        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(refused.body()).path("parameter").asText()).isEqualTo("scope");
        assertThat(requests).isEmpty();
    }

    @Test
    void relaysAWorkersConflictWhileARunHasNotEnded() throws Exception {
        // given
        answers.put("POST /admin/verifications", AdminResponse.problem(409, "conflict", "a verification runs already"));

        // when
        HttpResponse<String> refused = dashboard.postForm("/api/sync/verify", Map.of());

        // then
        assertThat(refused.statusCode()).isEqualTo(409);
        assertThat(refused.headers().firstValue("Content-Type")).contains("application/problem+json");
        assertThat(JSON.readTree(refused.body()).path("detail").asText()).isEqualTo("a verification runs already");
    }

    @Test
    void givesBothLatestStatesAndNullForOneThatNeverRan() throws Exception {
        // given a verification that ended and no rebuild yet
        answers.put(
                "GET /admin/verifications/latest",
                AdminResponse.ok("{\"state\":\"succeeded\",\"result\":{\"sound\":true,\"segments\":3}}"));
        answers.put("GET /admin/rebuilds/latest", AdminResponse.problem(404, "not-found", "no rebuild yet"));

        // when
        JsonNode states = JSON.readTree(dashboard.get("/api/sync").body());

        // then
        assertThat(states.path("rebuild").isNull()).isTrue();
        assertThat(states.path("verification").path("result").path("segments").asInt())
                .isEqualTo(3);
        assertThat(states.path("views")).extracting(JsonNode::asText).contains("helpdesk_tickets", "weather_daily");
    }

    @Test
    void answers502NamingTheConnectionRefusedWhenAWorkerDoesNotAnswer() throws Exception {
        try (TestDashboard lonely = dashboardWithoutArchiver()) {
            // when
            HttpResponse<String> refused = lonely.postForm("/api/sync/verify", Map.of());

            // then
            assertThat(refused.statusCode()).isEqualTo(502);
            JsonNode problem = JSON.readTree(refused.body());
            assertThat(problem.path("type").asText()).isEqualTo("urn:polyglot:problem:worker-unreachable");
            assertThat(problem.path("detail").asText())
                    .endsWith("did not answer: connection refused")
                    .doesNotContain("null")
                    .doesNotContain("java.net");
        }
    }

    @Test
    void answers502ForTheLatestVerificationWhenTheArchiverDoesNotAnswer() throws Exception {
        try (TestDashboard lonely = dashboardWithoutArchiver()) {
            // when
            HttpResponse<String> refused = lonely.get("/api/sync/verification");

            // then
            assertThat(refused.statusCode()).isEqualTo(502);
            assertThat(JSON.readTree(refused.body()).path("type").asText())
                    .isEqualTo("urn:polyglot:problem:worker-unreachable");
        }
    }

    @Test
    void givesARelayedWorkerProblemATitleWhenItHasNone() throws Exception {
        // given a problem without title, as a worker may send it
        answers.put(
                "POST /admin/verifications",
                new AdminResponse(
                        409, "{\"type\":\"urn:polyglot:problem:conflict\",\"status\":409,\"detail\":\"busy\"}"));

        // when
        HttpResponse<String> refused = dashboard.postForm("/api/sync/verify", Map.of());

        // then
        JsonNode problem = JSON.readTree(refused.body());
        assertThat(problem.path("title").asText()).isEqualTo("Conflict");
        assertThat(problem.path("detail").asText()).isEqualTo("busy");
    }

    @Test
    void relaysAWorkersProblemWithTextOutsideLatin1AsUtf8() throws Exception {
        // given a worker whose refusal names a view in other scripts
        answers.put("POST /admin/verifications", AdminResponse.problem(409, "conflict", "é€日本 is running"));

        // when
        HttpResponse<byte[]> refused = dashboard
                .client()
                .send(
                        HttpRequest.newBuilder(URI.create(dashboard.url("/api/sync/verify")))
                                .header("Authorization", "Bearer " + TestDashboard.TOKEN)
                                .POST(HttpRequest.BodyPublishers.noBody())
                                .build(),
                        HttpResponse.BodyHandlers.ofByteArray());

        // then: the bytes are UTF-8, read by a decoder that refuses anything else
        assertThat(refused.statusCode()).isEqualTo(409);
        String body = java.nio.charset.StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                .decode(java.nio.ByteBuffer.wrap(refused.body()))
                .toString();
        assertThat(JSON.readTree(body).path("detail").asText()).isEqualTo("é€日本 is running");
    }

    /** A dashboard whose archiver URL is a loopback port nobody listens on any more. */
    private static TestDashboard dashboardWithoutArchiver() throws Exception {
        int closed;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = socket.getLocalPort();
        }
        return TestDashboard.start(
                dataDir.resolve("lonely-" + closed),
                Clock.systemUTC(),
                Map.of("ARCHIVER_HEALTH_URL", "http://127.0.0.1:" + closed));
    }

    /** Admin routes that record each request and answer as {@link #answers} says, 404 otherwise. */
    private static AdminRoutes worker() {
        return new AdminRoutes() {
            @Override
            public AdminResponse handle(String method, String path) {
                return handle(method, path, null);
            }

            @Override
            public AdminResponse handle(String method, String path, String query) {
                requests.add(method + " " + path + (query == null ? "" : " " + query));
                return answers.getOrDefault(
                        method + " " + path, AdminResponse.problem(404, "not-found", "no such route: " + path));
            }
        };
    }
}
