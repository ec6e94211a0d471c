package io.polyglot.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import io.polyglot.readmodel.ReadModelMigrations;
import io.polyglot.stack.PostgresServer;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * A dashboard on a random loopback port over a real PostgreSQL with the read-model migrations applied, and an HTTP
 * client for it that never follows redirects, so the tests see every answer as sent.
 */
final class TestDashboard implements AutoCloseable {

    static final String TOKEN = "dashboard-test-token-0123456789";

    private final PostgresServer postgres;
    private final PGSimpleDataSource database;
    private final Dashboard dashboard;
    private final HttpClient client = HttpClient.newBuilder()
            .proxy(HttpClient.Builder.NO_PROXY)
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    private TestDashboard(PostgresServer postgres, PGSimpleDataSource database, Dashboard dashboard) {
        this.postgres = postgres;
        this.database = database;
        this.dashboard = dashboard;
    }

    static TestDashboard start(Path dataDir, Clock clock) {
        return start(dataDir, clock, Map.of());
    }

    /** A dashboard with {@code settings} on top of the ones above, e.g. the Kafka it reads. */
    static TestDashboard start(Path dataDir, Clock clock, Map<String, String> settings) {
        PostgresServer postgres =
                PostgresServer.start(dataDir.resolve("postgres"), 0, PostgresServer.Durability.NO_FSYNC);
        try {
            PGSimpleDataSource database = new PGSimpleDataSource();
            database.setUrl(postgres.jdbcUrl());
            database.setUser(postgres.user());
            database.setPassword(postgres.password());
            ReadModelMigrations.migrate(database);
            Map<String, String> env = new HashMap<>();
            env.put("HTTP_HOST", "127.0.0.1");
            env.put("HTTP_PORT", "0");
            env.put("DATABASE_URL", postgres.databaseUrl());
            env.put("POLYGLOT_TOKEN", TOKEN);
            env.put("SESSION_TTL", "1h");
            // Without Kafka, the archive and the other processes here, the overview stays off and asks nobody.
            env.put("OVERVIEW", "false");
            env.putAll(settings);
            return new TestDashboard(postgres, database, Dashboard.start(DashboardConfig.from(env), clock));
        } catch (RuntimeException e) {
            postgres.close();
            throw e;
        }
    }

    void execute(String sql) throws SQLException {
        try (Connection connection = database.getConnection();
                Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    PGSimpleDataSource database() {
        return database;
    }

    String url(String path) {
        return "http://127.0.0.1:" + dashboard.port() + path;
    }

    /** {@code GET path} with the bearer token. */
    HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(url(path)))
                .header("Authorization", "Bearer " + TOKEN)
                .GET()
                .build());
    }

    /**
     * Asks {@code GET path} and {@code HEAD path} and checks that both answer {@code status}, and the HEAD the GET's
     * Content-Type and Allow without a body (RFC 9110).
     */
    void assertHeadAnswersAsGet(String path, int status) throws IOException, InterruptedException {
        HttpResponse<String> get = get(path);
        HttpResponse<String> head = send(HttpRequest.newBuilder(URI.create(url(path)))
                .header("Authorization", "Bearer " + TOKEN)
                .method("HEAD", HttpRequest.BodyPublishers.noBody())
                .build());
        assertThat(get.statusCode()).as(get.body()).isEqualTo(status);
        assertThat(head.statusCode()).as("HEAD " + path).isEqualTo(status);
        assertThat(head.headers().firstValue("Content-Type"))
                .isEqualTo(get.headers().firstValue("Content-Type"));
        assertThat(head.headers().firstValue("Allow")).isEqualTo(get.headers().firstValue("Allow"));
        assertThat(head.body()).isEmpty();
    }

    /** {@code POST path} with the bearer token and {@code form} as {@code application/x-www-form-urlencoded}. */
    HttpResponse<String> postForm(String path, Map<String, String> form) throws IOException, InterruptedException {
        StringBuilder body = new StringBuilder();
        form.forEach((name, value) -> body.append(body.length() == 0 ? "" : "&")
                .append(URLEncoder.encode(name, StandardCharsets.UTF_8))
                .append('=')
                .append(URLEncoder.encode(value, StandardCharsets.UTF_8)));
        return send(HttpRequest.newBuilder(URI.create(url(path)))
                .header("Authorization", "Bearer " + TOKEN)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                .build());
    }

    /** The client that sends the requests, for an answer read other than as text. */
    HttpClient client() {
        return client;
    }

    HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
        return client.send(request, HttpResponse.BodyHandlers.ofString());
    }

    /** {@code POST /signin} with {@code token} as a form. */
    HttpResponse<String> signIn(String token, String next) throws IOException, InterruptedException {
        String form = "token=" + URLEncoder.encode(token, StandardCharsets.UTF_8) + "&next="
                + URLEncoder.encode(next, StandardCharsets.UTF_8);
        return send(HttpRequest.newBuilder(URI.create(url("/signin")))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form))
                .build());
    }

    @Override
    public void close() {
        try {
            dashboard.close();
        } finally {
            postgres.close();
        }
    }
}
