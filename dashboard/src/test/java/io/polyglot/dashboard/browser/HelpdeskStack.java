package io.polyglot.dashboard.browser;

import static org.awaitility.Awaitility.await;

import io.polyglot.dashboard.Dashboard;
import io.polyglot.dashboard.DashboardConfig;
import io.polyglot.stack.FreePorts;
import io.polyglot.stack.KafkaBroker;
import io.polyglot.stack.PostgresServer;
import io.polyglot.stack.S3Server;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The pipeline, started for the browser tests with the stack's own launchers: Kafka, PostgreSQL and S3Proxy on random
 * loopback ports, the command service, the archiver and the projection worker as processes of their packaged jars, the
 * helpdesk log imported by the importer's jar through the HTTP API, and the dashboard on top, in this JVM. Everything
 * is stopped by its process, the servers by their pids.
 */
final class HelpdeskStack implements AutoCloseable {

    static final String TOKEN = "browser-test-token-0123456789abcdef";
    static final long HELPDESK_TICKETS = 4_580;
    static final long HELPDESK_EVENTS = 21_348;

    private static final Duration READY = Duration.ofMinutes(2);
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .proxy(HttpClient.Builder.NO_PROXY)
            .connectTimeout(Duration.ofSeconds(2))
            .build();

    private final Path root =
            Path.of(System.getProperty("polyglot.root", "..")).toAbsolutePath().normalize();
    private final Path dataDir;
    private final List<Process> processes = new ArrayList<>();
    private KafkaBroker kafka;
    private PostgresServer postgres;
    private S3Server s3;
    private Dashboard dashboard;

    private HelpdeskStack(Path dataDir) {
        this.dataDir = dataDir;
        // Should the test JVM be stopped before close(), the service processes it started go with it.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> processes.forEach(Process::destroy), "stop-services"));
    }

    /** Starts everything and imports the helpdesk log; returns once the view holds every ticket. */
    static HelpdeskStack startWithTheHelpdeskLog(Path dataDir) throws Exception {
        HelpdeskStack stack = new HelpdeskStack(dataDir);
        try {
            stack.start();
            return stack;
        } catch (Exception | Error e) {
            stack.close();
            throw e;
        }
    }

    private void start() throws Exception {
        long started = System.nanoTime();
        kafka = KafkaBroker.start(dataDir.resolve("kafka"), 0);
        postgres = PostgresServer.start(dataDir.resolve("postgres"), 0, PostgresServer.Durability.NO_FSYNC);
        int commandPort = FreePorts.pick();
        launch(
                "command-service",
                Map.of(
                        "KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(),
                        "HTTP_HOST", "127.0.0.1",
                        "HTTP_PORT", String.valueOf(commandPort),
                        "POLYGLOT_TOKEN", TOKEN,
                        "DECIDER_STATE_DIR", dataDir.resolve("decider").toString()));
        awaitReady("command-service", commandPort);
        report("command service ready", started);
        int projectionPort = FreePorts.pick();
        launch(
                "projection-worker",
                Map.of(
                        "KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(),
                        "DATABASE_URL", postgres.databaseUrl(),
                        "HTTP_HOST", "127.0.0.1",
                        "HEALTH_PORT", String.valueOf(projectionPort),
                        "POLYGLOT_TOKEN", TOKEN));
        s3 = S3Server.start(dataDir.resolve("s3"), 0);
        int archiverPort = FreePorts.pick();
        Map<String, String> archiver = new HashMap<>(archiveStore());
        archiver.putAll(Map.of(
                "KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(),
                "WARM_DIR", dataDir.resolve("warm").toString(),
                "HTTP_HOST", "127.0.0.1",
                "HEALTH_PORT", String.valueOf(archiverPort),
                "POLYGLOT_TOKEN", TOKEN));
        launch("archiver-worker", archiver);
        awaitReady("projection-worker", projectionPort);
        awaitReady("archiver-worker", archiverPort);
        report("workers ready", started);
        importHelpdesk("http://127.0.0.1:" + commandPort);
        report("helpdesk log imported", started);
        await().atMost(READY).pollInterval(Duration.ofMillis(500)).until(() -> count() == HELPDESK_EVENTS);
        report("helpdesk log projected", started);
        Map<String, String> settings = new HashMap<>(archiveStore());
        settings.putAll(Map.of(
                "HTTP_HOST",
                "127.0.0.1",
                "HTTP_PORT",
                "0",
                "DATABASE_URL",
                postgres.databaseUrl(),
                "KAFKA_BOOTSTRAP_SERVERS",
                kafka.bootstrapServers(),
                "COMMAND_URL",
                "http://127.0.0.1:" + commandPort,
                "ARCHIVER_HEALTH_URL",
                "http://127.0.0.1:" + archiverPort,
                "PROJECTION_HEALTH_URL",
                "http://127.0.0.1:" + projectionPort,
                "OVERVIEW_INTERVAL",
                "1s",
                "POLYGLOT_TOKEN",
                TOKEN));
        // The Seed page runs the importer's jar and offers the checkout's datasets, as the local stack's dashboard
        // does.
        settings.put(
                "IMPORTER_JAR", root.resolve("importer/target/importer.jar").toString());
        settings.put("SEED_DIRECTORY", datasets().toString());
        dashboard = Dashboard.start(DashboardConfig.from(settings), Clock.systemUTC());
    }

    private Map<String, String> archiveStore() {
        return Map.of(
                "S3_ENDPOINT", s3.endpoint(),
                "S3_BUCKET", "polyglot-archive",
                "S3_REGION", s3.region(),
                "AWS_ACCESS_KEY_ID", s3.accessKey(),
                "AWS_SECRET_ACCESS_KEY", s3.secretKey(),
                "AWS_EC2_METADATA_DISABLED", "true");
    }

    /** The real event logs beside the checkout. */
    Path datasets() {
        return root.resolveSibling("shared").resolve("datasets");
    }

    private static void report(String what, long started) {
        System.out.printf("%s after %.1f s%n", what, (System.nanoTime() - started) / 1e9);
    }

    /** The stack's Kafka, for tests that put records on its topics themselves. */
    String kafkaBootstrapServers() {
        return kafka.bootstrapServers();
    }

    String dashboardUrl() {
        return "http://127.0.0.1:" + dashboard.port();
    }

    /** Runs {@code sql} and returns the first column of every row. */
    List<Object> query(String sql) throws SQLException {
        try (Connection connection =
                        DriverManager.getConnection(postgres.jdbcUrl(), postgres.user(), postgres.password());
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery(sql)) {
            List<Object> values = new ArrayList<>();
            while (rows.next()) {
                values.add(rows.getObject(1));
            }
            return values;
        }
    }

    private long count() {
        try {
            Object events = query("SELECT coalesce(sum(event_count), 0) FROM public.helpdesk_tickets")
                    .get(0);
            return ((Number) events).longValue();
        } catch (SQLException e) {
            // the projection has not created its views yet
            return -1;
        }
    }

    private void launch(String module, Map<String, String> environment) throws IOException {
        Path jar = root.resolve(module).resolve("target").resolve(module + ".jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: package the project first (mvn -DskipTests package)");
        }
        Path log = dataDir.resolve(module + ".log");
        ProcessBuilder builder = new ProcessBuilder(java(), "-Xmx512m", "-jar", jar.toString())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().putAll(environment);
        processes.add(builder.start());
    }

    private void importHelpdesk(String commandUrl) throws Exception {
        Path file = datasets().resolve("helpdesk/helpdesk.xes.gz");
        Path log = dataDir.resolve("import.log");
        ProcessBuilder builder = new ProcessBuilder(
                        java(),
                        "-jar",
                        root.resolve("importer/target/importer.jar").toString(),
                        "--type",
                        "HelpdeskTicket",
                        "--url",
                        commandUrl,
                        "--progress",
                        "off",
                        file.toString())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        // The token travels in the environment, as ./polyglot import passes it, never on the command line.
        builder.environment().put("POLYGLOT_TOKEN", TOKEN);
        Process importer = builder.start();
        processes.add(importer);
        if (!importer.waitFor(5, TimeUnit.MINUTES) || importer.exitValue() != 0) {
            throw new IllegalStateException("the import of the helpdesk log failed:\n" + Files.readString(log));
        }
    }

    private static void awaitReady(String name, int port) {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health/ready"))
                .timeout(Duration.ofSeconds(2))
                .build();
        await(name + " ready")
                .atMost(READY)
                .pollInterval(Duration.ofMillis(250))
                .until(() -> {
                    try {
                        return HTTP.send(request, HttpResponse.BodyHandlers.discarding())
                                        .statusCode()
                                == 200;
                    } catch (IOException e) {
                        return false;
                    }
                });
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    @Override
    public void close() {
        if (dashboard != null) {
            dashboard.close();
        }
        for (Process process : processes) {
            process.destroy();
        }
        for (Process process : processes) {
            try {
                if (!process.waitFor(30, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        }
        if (s3 != null) {
            s3.close();
        }
        if (postgres != null) {
            postgres.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }
}
