package io.polyglot.projection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariDataSource;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.polyglot.projection.admin.RebuildAdmin;
import io.polyglot.runtime.AdminRoutes;
import io.polyglot.runtime.ServiceEndpoint;
import io.polyglot.runtime.TokenAccess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The projection's rebuild endpoints on its health endpoint, beside the dead-letter ones and behind the token, against
 * a real Kafka and PostgreSQL: a rebuild started over HTTP runs in the background and its latest state says how it
 * ended.
 */
class RebuildAdminTest extends WorkersOnKafkaAndPostgres {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "rebuild-admin-test-token-0123456789";

    private final HttpClient http = HttpClient.newHttpClient();
    private HikariDataSource pool;
    private ServiceEndpoint endpoint;

    @BeforeEach
    void serveTheAdminRoutes() {
        ProjectionConfig config = ProjectionConfig.fromEnvironment(
                workers.environment(10, Map.of()), LoggerFactory.getLogger(RebuildAdminTest.class));
        pool = ReadModelDatabase.pool(config.database());
        endpoint = ServiceEndpoint.start(
                "127.0.0.1",
                0,
                new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
                () -> true,
                AdminRoutes.byPrefix(Map.of(
                        "/admin/dead-letters",
                        ProjectionMain.deadLetterAdmin(config, pool),
                        RebuildAdmin.PREFIX,
                        ProjectionMain.rebuildAdmin(config, pool))),
                TokenAccess.load(
                        Map.of("POLYGLOT_TOKEN", TOKEN), "127.0.0.1", LoggerFactory.getLogger(RebuildAdminTest.class)));
    }

    @AfterEach
    void stopTheEndpoint() {
        endpoint.close();
        pool.close();
    }

    @Test
    void runsARebuildOfTheChosenViewInTheBackgroundAndReportsWhatItSwappedIn() throws Exception {
        // given a ticket with three events, projected
        SyntheticLog log = ticket("Case A");
        workers.start(10);
        workers.awaitViewsEqualTheFoldOf(log);

        // when
        HttpResponse<String> started = post("/admin/rebuilds?view=helpdesk_tickets");

        // then
        assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
        assertThat(JSON.readTree(started.body()).path("request").path("views"))
                .extracting(JsonNode::asText)
                .containsExactly("helpdesk_tickets");
        await().atMost(Duration.ofMinutes(1))
                .until(() -> !"running".equals(latest().path("state").asText()));
        JsonNode latest = latest();
        assertThat(latest.path("state").asText()).as(latest.toString()).isEqualTo("succeeded");
        assertThat(latest.path("result").path("tables"))
                .extracting(JsonNode::asText)
                .containsExactly("helpdesk_ticket");
        assertThat(latest.path("progress").path("phase").asText()).isEqualTo("swapped");
        assertThat(latest.path("progress").path("offsetsRead").asLong()).isEqualTo(3);
        assertThat(latest.path("progress").path("offsetsTotal").asLong()).isEqualTo(3);
        assertThat(Instant.parse(latest.path("endedAt").asText()))
                .isAfterOrEqualTo(Instant.parse(latest.path("startedAt").asText()));
        workers.awaitViewsEqualTheFoldOf(log);
    }

    @Test
    void refusesAnUnknownViewWith400AndStartsNothing() throws Exception {
        // when
        HttpResponse<String> refused = post("/admin/rebuilds?view=no_such_view");

        // then
        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(refused.body()).contains("no_such_view");
        assertThat(get("/admin/rebuilds/latest").statusCode()).isEqualTo(404);
    }

    @Test
    void servesTheDeadLetterRoutesOnTheSameEndpoint() throws Exception {
        // when
        HttpResponse<String> deadLetters = get("/admin/dead-letters");

        // then
        assertThat(deadLetters.statusCode()).as(deadLetters.body()).isEqualTo(200);
        assertThat(JSON.readTree(deadLetters.body()).path("deadLetters")).isEmpty();
    }

    @Test
    void refusesToStartARebuildWithoutTheToken() throws Exception {
        // when
        HttpResponse<String> refused = http.send(
                HttpRequest.newBuilder(uri("/admin/rebuilds"))
                        .POST(HttpRequest.BodyPublishers.noBody())
                        .build(),
                HttpResponse.BodyHandlers.ofString());

        // then
        assertThat(refused.statusCode()).isEqualTo(401);
        assertThat(get("/admin/rebuilds/latest").statusCode()).isEqualTo(404);
    }

    private SyntheticLog ticket(String ticket) throws Exception {
        Instant nine = Instant.parse("2012-01-02T09:00:00Z");
        List<SyntheticLog.Entry> events = List.of(
                new SyntheticLog.Entry("HelpdeskTicket", ticket, "Insert ticket", null, nine, Map.of()),
                new SyntheticLog.Entry(
                        "HelpdeskTicket", ticket, "Take in charge ticket", null, nine.plusSeconds(60), Map.of()),
                new SyntheticLog.Entry("HelpdeskTicket", ticket, "Closed", null, nine.plusSeconds(120), Map.of()));
        for (SyntheticLog.Entry event : events) {
            workers.send(0, ticket, Envelopes.encode(event));
        }
        return SyntheticLog.of(events);
    }

    private JsonNode latest() throws Exception {
        HttpResponse<String> response = get("/admin/rebuilds/latest");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    private HttpResponse<String> post(String path) throws Exception {
        return http.send(
                authorized(path).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(authorized(path).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpRequest.Builder authorized(String path) {
        return HttpRequest.newBuilder(uri(path)).header("Authorization", "Bearer " + TOKEN);
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + endpoint.port() + path);
    }
}
