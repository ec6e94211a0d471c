package io.polyglot.projection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.polyglot.schemas.Topics;
import io.polyglot.stack.FreePorts;
import io.polyglot.stack.PostgresServer;
import io.polyglot.testservers.TestKafka;
import io.polyglot.testservers.TestServers;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The worker as its own process, started the way {@code java -jar projection-worker.jar} starts it. */
class ProjectionMainTest {

    private static final String TOPIC = "events.all";

    @TempDir
    static Path dataDir;

    private static TestKafka kafka;
    private static TestDatabase database;

    private final HttpClient http = HttpClient.newHttpClient();
    private Process worker;

    @BeforeAll
    static void startKafkaAndPostgres() throws Exception {
        kafka = TestServers.kafka(dataDir.resolve("kafka"));
        database = TestDatabase.start(dataDir.resolve("postgres"));
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            admin.createTopics(
                            List.of(new NewTopic(TOPIC, 6, (short) 1), new NewTopic(Topics.EVENTS_DLQ, 1, (short) 1)))
                    .all()
                    .get();
            await().atMost(Duration.ofSeconds(30))
                    .until(() ->
                            admin.describeTopics(List.of(TOPIC)).allTopicNames().get().get(TOPIC).partitions().stream()
                                    .allMatch(partition -> partition.leader() != null));
        }
    }

    @AfterAll
    static void stopKafkaAndPostgres() {
        if (database != null) {
            database.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    @AfterEach
    void stopTheWorker() throws InterruptedException {
        if (worker != null && worker.isAlive()) {
            worker.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void becomesReadyProjectsAndReportsItsMetricsThenStopsCleanly() throws Exception {
        // given
        int healthPort = FreePorts.pick();
        Path output = dataDir.resolve("worker.log");
        worker = launch(
                Map.of(
                        "KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(),
                        "DATABASE_URL", database.databaseUrl(),
                        "HEALTH_PORT", Integer.toString(healthPort)),
                output);

        // when
        await().atMost(Duration.ofSeconds(60)).until(() -> status(healthPort, "/health/ready") == 200);
        SyntheticLog eventLog = SyntheticLog.generate(5, 30, 20);
        eventLog.produceTo(kafka.bootstrapServers(), TOPIC);

        // then
        await().atMost(Duration.ofSeconds(60))
                .untilAsserted(() -> assertThat(database.loanApplications())
                        .containsExactlyInAnyOrderElementsOf(eventLog.expectedLoanApplications()));
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(body(healthPort, "/metrics"))
                        .contains("polyglot_events_projected_total{projection=\"loan_applications\"")
                        .contains("polyglot_consumer_lag{group=\"polyglot-projection\",partition=\"0\"")
                        .contains("polyglot_projection_last_applied_event_age_seconds{group=\"polyglot-projection\","
                                + "partition=\"0\"")
                        .contains("kafka_consumer_"));
        worker.destroy();
        assertThat(worker.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(Files.readString(output))
                .contains("Settings resolved")
                .contains("DATABASE_URL=****")
                .doesNotContain(database.databaseUrl())
                .contains("Projection stopped consuming");
    }

    @Test
    void answersNotReadyWithinSecondsOfPostgresGoingAwayAndReadyAgainOnceItIsBack() throws Exception {
        // given a worker ready on a PostgreSQL of its own, which this test stops and starts again on the same port
        PostgresServer postgres =
                PostgresServer.start(dataDir.resolve("stopped-postgres"), 0, PostgresServer.Durability.NO_FSYNC);
        int port = postgres.port();
        int healthPort = FreePorts.pick();
        try {
            worker = launch(
                    Map.of(
                            "KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(),
                            "DATABASE_URL", postgres.databaseUrl(),
                            "PROJECTION_GROUP", "readiness-follows-the-database",
                            "HEALTH_PORT", Integer.toString(healthPort)),
                    dataDir.resolve("stopped-postgres.log"));
            await().atMost(Duration.ofSeconds(60)).until(() -> status(healthPort, "/health/ready") == 200);

            // when PostgreSQL stops, with no event arriving that a write could fail on
            postgres.close();

            // then readiness says so within seconds, and never holds the asker long
            await().atMost(Duration.ofSeconds(8)).until(() -> status(healthPort, "/health/ready") == 503);
            long started = System.nanoTime();
            assertThat(status(healthPort, "/health/ready")).isEqualTo(503);
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(3));

            // and once PostgreSQL is back, the worker is ready again
            postgres =
                    PostgresServer.start(dataDir.resolve("stopped-postgres"), port, PostgresServer.Durability.NO_FSYNC);
            await().atMost(Duration.ofSeconds(30)).until(() -> status(healthPort, "/health/ready") == 200);
        } finally {
            postgres.close();
        }
    }

    @Test
    void reportsTheLagOfEveryPartitionAsSoonAsItAnswersReadyAfterARestart() throws Exception {
        // given a worker of its own group and topic (empty: the read model the other tests check stays as theirs)
        // that joined, reported its lag and was stopped
        int healthPort = FreePorts.pick();
        String group = "restarted";
        String topic = "restarted-events";
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(topic, 6, (short) 1))).all().get();
        }
        Map<String, String> settings = Map.of(
                "KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(),
                "DATABASE_URL", database.databaseUrl(),
                "HEALTH_PORT", Integer.toString(healthPort),
                "PROJECTION_GROUP", group,
                "PROJECTION_TOPIC", topic);
        worker = launch(settings, dataDir.resolve("before-restart.log"));
        String lastPartition =
                "polyglot_consumer_lag{group=\"" + group + "\",partition=\"5\",service=\"projection-worker\"} 0.0";
        await().atMost(Duration.ofSeconds(60))
                .until(() -> status(healthPort, "/health/ready") == 200
                        && body(healthPort, "/metrics").contains(lastPartition));
        worker.destroy();
        assertThat(worker.waitFor(60, TimeUnit.SECONDS)).isTrue();

        // when it starts again, with nothing new to apply
        worker = launch(settings, dataDir.resolve("after-restart.log"));
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> status(healthPort, "/health/ready") == 200);

        // then the first page of metrics once ready, which ./polyglot status reads, has the lag of every partition
        List<String> lags = body(healthPort, "/metrics")
                .lines()
                .filter(line -> line.startsWith("polyglot_consumer_lag{group=\"" + group + "\""))
                .toList();
        assertThat(lags).hasSize(6).allSatisfy(line -> assertThat(line).endsWith(" 0.0"));
    }

    @Test
    void knowsTheRecordsItHasToApplyBeforeItAnswersReady() throws Exception {
        // given a topic of its own with 7 records in partition 2 that no worker of the group has applied
        int healthPort = FreePorts.pick();
        String topic = "backlog-events";
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(topic, 6, (short) 1))).all().get();
        }
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
                new ByteArraySerializer(),
                new ByteArraySerializer())) {
            for (int i = 0; i < 7; i++) {
                producer.send(new ProducerRecord<>(topic, 2, null, new byte[] {(byte) i}))
                        .get();
            }
        }

        // when it starts
        Path output = dataDir.resolve("backlog.log");
        worker = launch(
                Map.of(
                        "KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(),
                        "DATABASE_URL", database.databaseUrl(),
                        "HEALTH_PORT", Integer.toString(healthPort),
                        "PROJECTION_GROUP", "backlog",
                        "PROJECTION_TOPIC", topic),
                output);
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> status(healthPort, "/health/ready") == 200);

        // then it measured them from the log end when it was given its partitions, before it answered ready, where
        // its lag was 0 until its first fetch
        assertThat(Files.readString(output)).contains("records to apply {0=0, 1=0, 2=7, 3=0, 4=0, 5=0}");
    }

    @Test
    void refusesToStartWithAnInvalidSettingAndNamesIt() throws Exception {
        // given
        Path output = dataDir.resolve("invalid.log");

        // when
        worker = launch(Map.of("HEALTH_PORT", "eighty"), output);

        // then
        assertThat(worker.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(worker.exitValue()).isEqualTo(2);
        assertThat(Files.readString(output)).contains("HEALTH_PORT='eighty' is invalid");
    }

    @Test
    void exitsWhenTheReadModelDatabaseCannotBeReached() throws Exception {
        // given a loopback port nothing listens on
        Path output = dataDir.resolve("unreachable.log");
        String nowhere = "postgresql://polyglot:secret@127.0.0.1:" + FreePorts.pick() + "/polyglot";

        // when
        worker = launch(Map.of("DATABASE_URL", nowhere, "HEALTH_PORT", "0"), output);

        // then
        assertThat(worker.waitFor(90, TimeUnit.SECONDS)).isTrue();
        assertThat(worker.exitValue()).isEqualTo(1);
        assertThat(Files.readString(output))
                .contains("Projection worker failed to start")
                .doesNotContain("secret");
    }

    private static Process launch(Map<String, String> settings, Path output) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder builder =
                new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), ProjectionMain.class.getName());
        Map<String, String> env = new HashMap<>(settings);
        env.put("AWS_EC2_METADATA_DISABLED", "true");
        builder.environment().clear();
        builder.environment().putAll(env);
        builder.redirectErrorStream(true);
        builder.redirectOutput(output.toFile());
        return builder.start();
    }

    private int status(int port, String path) {
        try {
            return http.send(request(port, path), HttpResponse.BodyHandlers.discarding())
                    .statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private String body(int port, String path) throws IOException, InterruptedException {
        return http.send(request(port, path), HttpResponse.BodyHandlers.ofString())
                .body();
    }

    private static HttpRequest request(int port, String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(5))
                .build();
    }
}
