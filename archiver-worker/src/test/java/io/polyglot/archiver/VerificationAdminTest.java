package io.polyglot.archiver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.polyglot.archive.store.ArchiveStore;
import io.polyglot.archive.store.ArchiveStoreConfig;
import io.polyglot.archive.store.ArchiveVerifier;
import io.polyglot.runtime.AdminRoutes;
import io.polyglot.runtime.KafkaClientConfig;
import io.polyglot.runtime.ServiceEndpoint;
import io.polyglot.runtime.TokenAccess;
import io.polyglot.runtime.deadletter.DeadLetterReader;
import io.polyglot.schemas.EventCodec;
import io.polyglot.schemas.Limits;
import io.polyglot.schemas.Topics;
import io.polyglot.testservers.TestEvents;
import io.polyglot.testservers.TestKafka;
import io.polyglot.testservers.TestS3;
import io.polyglot.testservers.TestServers;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The archiver's verification endpoints on its health endpoint, beside the dead-letter ones and behind the token,
 * against a real Kafka broker and a real S3Proxy: a verification started over HTTP runs in the background, checks the
 * archive against the topic and stores its report, which the latest state shows.
 */
class VerificationAdminTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration IDLE = Duration.ofSeconds(5);
    private static final String TOKEN = "verification-admin-test-0123456789";
    private static final String KEY = "P-1";
    private static final int EVENTS = 5;

    @TempDir
    static Path servers;

    private static TestKafka kafka;
    private static TestS3 s3;
    private static Admin admin;

    @TempDir
    Path warmDir;

    private final MovableClock clock = new MovableClock(Instant.parse("2026-03-01T08:00:00Z"));
    private final String topic = "events.all." + UUID.randomUUID();
    private final String group = "polyglot-archiver-" + UUID.randomUUID();
    private final TopicPartition partition = new TopicPartition(topic, 0);
    private final HttpClient http = HttpClient.newHttpClient();
    private ArchiverSettings settings;
    private ArchiverWorker worker;
    private ServiceEndpoint endpoint;

    @BeforeAll
    static void startServers() {
        kafka = TestServers.kafka(servers.resolve("kafka"));
        s3 = TestServers.s3(servers.resolve("s3"));
        admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()));
    }

    @AfterAll
    static void stopServers() {
        if (admin != null) {
            admin.close();
        }
        if (s3 != null) {
            s3.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    @BeforeEach
    void startAnArchiverWithItsEndpoint() throws Exception {
        String dlqTopic = "events.dlq." + UUID.randomUUID();
        String schemasTopic = "schemas." + UUID.randomUUID();
        admin.createTopics(List.of(
                        new NewTopic(topic, 1, (short) 1),
                        new NewTopic(dlqTopic, 1, (short) 1),
                        new NewTopic(schemasTopic, 1, (short) 1).configs(Map.of("cleanup.policy", "compact"))))
                .all()
                .get();
        settings = new ArchiverSettings(
                        kafka.bootstrapServers(),
                        topic,
                        group,
                        Map.of(),
                        new ArchiveStoreConfig(
                                URI.create(s3.endpoint()),
                                "archive-" + UUID.randomUUID(),
                                s3.region(),
                                s3.accessKey(),
                                s3.secretKey(),
                                false),
                        warmDir,
                        1024L * 1024 * 1024,
                        100,
                        IDLE,
                        64L * 1024 * 1024,
                        "127.0.0.1",
                        0,
                        ArchiverSettings.DEFAULT_RELEASE_TIMEOUT)
                .withTopics(dlqTopic, schemasTopic);
        worker = ArchiverWorker.start(settings, new SimpleMeterRegistry(), clock);
        endpoint = serve(worker.admin());
    }

    @AfterEach
    void stopTheArchiver() {
        endpoint.close();
        worker.close();
    }

    @Test
    void runsAVerificationInTheBackgroundAndReportsASoundArchiveWithItsCounts() throws Exception {
        // given five events, sealed in one segment and committed
        archiveFiveEvents();

        // when
        HttpResponse<String> started = post("/admin/verifications");

        // then
        assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
        await().atMost(Duration.ofMinutes(1))
                .until(() -> !"running".equals(latest().path("state").asText()));
        JsonNode latest = latest();
        assertThat(latest.path("state").asText()).as(latest.toString()).isEqualTo("succeeded");
        JsonNode result = latest.path("result");
        assertThat(result.path("sound").asBoolean()).as(result.toString()).isTrue();
        assertThat(result.path("segments").asInt()).isEqualTo(1);
        assertThat(result.path("events").asLong()).isEqualTo(EVENTS);
        assertThat(result.path("committedEventsChecked").asLong()).isEqualTo(EVENTS);
        assertThat(result.path("problems")).isEmpty();
        assertThat(result.path("storedAs").asText()).startsWith("verifications/");
        assertThat(latest.path("progress").path("recordsRead").asLong()).isEqualTo(EVENTS);
        assertThat(latest.path("progress").path("phase").asText()).isEqualTo("done");
    }

    @Test
    void answersTheNewestStoredReportWhenThisProcessHasNotVerifiedYet() throws Exception {
        // given a verification whose report is stored, and an archiver process started afterwards
        archiveFiveEvents();
        post("/admin/verifications");
        await().atMost(Duration.ofMinutes(1))
                .until(() -> "succeeded".equals(latest().path("state").asText()));
        String storedAs = latest().path("result").path("storedAs").asText();
        endpoint.close();
        try (ArchiveStore store = new ArchiveStore(settings.store())) {
            endpoint = serve(new VerificationAdmin(
                    store,
                    settings,
                    new DeadLetterReader(
                            kafka.bootstrapServers(), settings.deadLetterTopic(), Duration.ofSeconds(30), Map.of()),
                    clock));

            // when
            JsonNode latest = latest();

            // then
            assertThat(latest.path("state").asText()).isEqualTo("succeeded");
            assertThat(latest.path("result").path("storedAs").asText()).isEqualTo(storedAs);
            assertThat(latest.path("result").path("events").asLong()).isEqualTo(EVENTS);
        }
    }

    @Test
    void answersWhenAStoredVerificationEndedAsWellAsWhenItStarted() throws Exception {
        // given: a verification run outside the archiver, as ./polyglot archive verify runs it, on a clock a second
        // further on each time it is read, so that its end comes after its start
        archiveFiveEvents();
        try (ArchiveStore store = new ArchiveStore(settings.store())) {
            ArchiveVerifier verifier = new ArchiveVerifier(
                    store, 100, MovableClock.ticking(Instant.parse("2026-03-02T10:00:00Z"), Duration.ofSeconds(1)));
            verifier.store(verifier.verify());
        }

        // when: this archiver, which has not verified since it started, is asked for the latest verification
        JsonNode latest = latest();

        // then: the stored run, ended after it started
        assertThat(latest.path("state").asText()).isEqualTo("succeeded");
        assertThat(latest.path("startedAt").asText()).isEqualTo("2026-03-02T10:00:00Z");
        assertThat(latest.path("endedAt").isTextual()).as(latest.toString()).isTrue();
        assertThat(Instant.parse(latest.path("endedAt").asText())).isAfter(Instant.parse("2026-03-02T10:00:00Z"));
    }

    @Test
    void answersNotFoundBeforeAnyVerificationAndServesTheDeadLetterRoutesBeside() throws Exception {
        // when
        HttpResponse<String> latest = get("/admin/verifications/latest");
        HttpResponse<String> deadLetters = get("/admin/dead-letters");

        // then
        assertThat(latest.statusCode()).as(latest.body()).isEqualTo(404);
        assertThat(deadLetters.statusCode()).as(deadLetters.body()).isEqualTo(200);
    }

    @Test
    void refusesToStartAVerificationWithoutTheToken() throws Exception {
        // when
        HttpResponse<String> refused = http.send(
                HttpRequest.newBuilder(uri("/admin/verifications"))
                        .POST(HttpRequest.BodyPublishers.noBody())
                        .build(),
                HttpResponse.BodyHandlers.ofString());

        // then
        assertThat(refused.statusCode()).isEqualTo(401);
        assertThat(get("/admin/verifications/latest").statusCode()).isEqualTo(404);
    }

    private void archiveFiveEvents() throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(
                KafkaClientConfig.producer(kafka.bootstrapServers(), Limits.DEFAULT_COMMAND_MAX_BYTES, Map.of()))) {
            for (int n = 0; n < EVENTS; n++) {
                RecordHeaders headers = new RecordHeaders();
                headers.add(Topics.HEADER_AGGREGATE_TYPE, "Loan".getBytes(StandardCharsets.UTF_8));
                headers.add(Topics.HEADER_EVENT_TYPE, "ActivityRecorded".getBytes(StandardCharsets.UTF_8));
                byte[] value = EventCodec.standard().encode(TestEvents.event("Loan", KEY, n));
                producer.send(new ProducerRecord<>(
                                topic, 0, null, KEY.getBytes(StandardCharsets.UTF_8), value, headers))
                        .get();
            }
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            // the segment is sealed once it has been idle for IDLE on the archiver's clock
            clock.advance(IDLE);
            return committed() == EVENTS;
        });
    }

    private long committed() throws Exception {
        OffsetAndMetadata offset = admin.listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata()
                .get()
                .get(partition);
        return offset == null ? -1 : offset.offset();
    }

    private ServiceEndpoint serve(AdminRoutes routes) {
        return ServiceEndpoint.start(
                "127.0.0.1",
                0,
                new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
                () -> true,
                routes,
                TokenAccess.load(
                        Map.of("POLYGLOT_TOKEN", TOKEN),
                        "127.0.0.1",
                        org.slf4j.LoggerFactory.getLogger(VerificationAdminTest.class)));
    }

    private JsonNode latest() throws Exception {
        HttpResponse<String> response = get("/admin/verifications/latest");
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
