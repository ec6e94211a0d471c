package io.polyglot.archiver;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.polyglot.archive.store.ArchiveStore;
import io.polyglot.archive.store.ArchiveStoreConfig;
import io.polyglot.archive.store.DeadLetterResolution;
import io.polyglot.archive.store.DeadLetterResolutions;
import io.polyglot.archive.store.LateSegmentKey;
import io.polyglot.archive.store.SegmentContents;
import io.polyglot.archive.store.SegmentFormat;
import io.polyglot.archive.store.SegmentMetadata;
import io.polyglot.runtime.KafkaClientConfig;
import io.polyglot.runtime.ServiceEndpoint;
import io.polyglot.runtime.TokenAccess;
import io.polyglot.runtime.catalog.SchemaCatalog;
import io.polyglot.runtime.deadletter.DeadLetterLedger;
import io.polyglot.runtime.deadletter.DeadLetterPublisher;
import io.polyglot.runtime.deadletter.DeadLetterReader;
import io.polyglot.schemas.EventCodec;
import io.polyglot.schemas.Limits;
import io.polyglot.schemas.NewerActivityRecorded;
import io.polyglot.schemas.Topics;
import io.polyglot.schemas.avro.ActivityRecorded;
import io.polyglot.schemas.avro.EventEnvelope;
import io.polyglot.testservers.TestEvents;
import io.polyglot.testservers.TestKafka;
import io.polyglot.testservers.TestS3;
import io.polyglot.testservers.TestServers;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dead-letter endpoints over HTTP, against a real Kafka broker and a real S3Proxy on loopback, behind the bearer
 * token the archiver's endpoint is given in production.
 */
class DeadLetterAdminTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOPIC = "events.all";
    private static final String TOKEN = "archiver-admin-Yc2Nq8vTb4Lm0Rk6";
    private static final TokenAccess ACCESS = TokenAccess.load(
            Map.of("POLYGLOT_TOKEN", TOKEN), "127.0.0.1", org.slf4j.LoggerFactory.getLogger(DeadLetterAdminTest.class));

    @TempDir
    static Path servers;

    private static TestKafka kafka;
    private static TestS3 s3;

    @TempDir
    Path work;

    private final String dlqTopic = "events.dlq." + UUID.randomUUID();
    private final String schemasTopic = "schemas." + UUID.randomUUID();
    private final String group = "polyglot-archiver-" + UUID.randomUUID();
    private final HttpClient http = HttpClient.newHttpClient();
    private ArchiveStore store;
    private ServiceEndpoint endpoint;

    @BeforeAll
    static void startServers() {
        kafka = TestServers.kafka(servers.resolve("kafka"));
        s3 = TestServers.s3(servers.resolve("s3"));
    }

    @AfterAll
    static void stopServers() {
        if (s3 != null) {
            s3.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    @BeforeEach
    void startEndpoint() throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(dlqTopic, 1, (short) 1), new NewTopic(schemasTopic, 1, (short) 1)))
                    .all()
                    .get();
        }
        store = new ArchiveStore(new ArchiveStoreConfig(
                URI.create(s3.endpoint()),
                "archive-" + UUID.randomUUID(),
                s3.region(),
                s3.accessKey(),
                s3.secretKey(),
                false));
        store.ensureBucket();
        endpoint = endpointWithNewAdmin();
    }

    @AfterEach
    void stopEndpoint() {
        endpoint.close();
        store.close();
    }

    @Test
    void retriesADeadLetterOnceItsSchemaIsPublishedAndSealsItAsALateSegmentOnce() throws Exception {
        // given the dead letter of an event whose newer payload schema was not published when it was read
        ActivityRecorded activity = ActivityRecorded.newBuilder()
                .setActivity("A_SUBMITTED")
                .setOccurredAt(java.time.Instant.parse("2011-10-01T00:38:44.546Z"))
                .setAttributes(Map.of("AMOUNT_REQ", "20000"))
                .build();
        EventEnvelope event = TestEvents.event("Loan", "L-7", 1);
        event.setPayload(NewerActivityRecorded.payload(activity, "web"));
        deadLetter(2, 41L, EventCodec.standard().encode(event));

        // when it is retried before the schema is published
        HttpResponse<String> early = post("/admin/dead-letters/2/41/retry");

        // then it still fails and stays pending
        assertThat(early.statusCode()).isEqualTo(422);
        assertThat(early.body()).contains("still-unknown-schema");
        assertThat(resolutionOf(list(), 41)).isEqualTo("pending");

        // when the schema is published and it is retried twice
        publishSchema(NewerActivityRecorded.catalogEntry());
        HttpResponse<String> retried = post("/admin/dead-letters/2/41/retry");
        HttpResponse<String> again = post("/admin/dead-letters/2/41/retry");

        // then one late segment of exactly that event, with the usual metadata, and the second retry changed nothing
        LateSegmentKey key = LateSegmentKey.of("Loan", 2, 41);
        assertThat(retried.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(retried.body()).get("created").asBoolean()).isTrue();
        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(again.body()).get("created").asBoolean()).isFalse();
        assertThat(new DeadLetterResolutions(store).lateSegments()).hasSize(1);
        SegmentMetadata meta = store.head(key.value()).orElseThrow();
        assertThat(meta.firstOffset()).isEqualTo(41);
        assertThat(meta.lastOffset()).isEqualTo(41);
        assertThat(meta.eventCount()).isEqualTo(1);
        try (InputStream in = store.get(key.value())) {
            SegmentContents contents = SegmentFormat.read(in);
            assertThat(contents.offsets()).containsExactly(41L);
            assertThat(contents.sourcePartition()).isEqualTo(2);
            assertThat(contents.events())
                    .singleElement()
                    .satisfies(archived -> assertThat(archived.getEventId()).isEqualTo(event.getEventId()));
            assertThat(contents.payloadSchemas()).containsKey(NewerActivityRecorded.fingerprint());
        }
        JsonNode listed = list();
        assertThat(resolutionOf(listed, 41)).isEqualTo("retried");
        assertThat(post("/admin/dead-letters/2/41/skip").statusCode()).isEqualTo(409);
    }

    @Test
    void skipsADeadLetterOnceAndKeepsTheDecisionAcrossARestart() throws Exception {
        // given
        deadLetter(0, 7L, new byte[] {1, 2, 3});

        // when
        HttpResponse<String> skipped = post("/admin/dead-letters/0/7/skip");
        endpoint.close();
        endpoint = endpointWithNewAdmin();

        // then
        assertThat(skipped.statusCode()).isEqualTo(200);
        assertThat(resolutionOf(list(), 7)).isEqualTo("skipped");
        assertThat(new DeadLetterResolutions(store).find(group, 0, 7))
                .map(DeadLetterResolution::status)
                .contains(DeadLetterResolution.Status.SKIPPED);
        HttpResponse<String> retry = post("/admin/dead-letters/0/7/retry");
        assertThat(retry.statusCode()).isEqualTo(409);
        assertThat(new DeadLetterResolutions(store).lateSegments()).isEmpty();
    }

    @Test
    void answersARetryOfGarbageWith422AndAnUnknownDeadLetterWith404() throws Exception {
        // given
        deadLetter(1, 3L, new byte[] {4, 5, 6});

        // when
        HttpResponse<String> garbage = post("/admin/dead-letters/1/3/retry");
        HttpResponse<String> unknown = post("/admin/dead-letters/1/4/retry");
        HttpResponse<String> wrongMethod = send(authorized(HttpRequest.newBuilder(uri("/admin/dead-letters/1/3/retry")))
                .GET()
                .build());

        // then
        assertThat(garbage.statusCode()).isEqualTo(422);
        assertThat(garbage.headers().firstValue("Content-Type")).contains("application/problem+json");
        assertThat(garbage.body()).contains("still-undecodable");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(wrongMethod.statusCode()).isEqualTo(405);
        assertThat(resolutionOf(list(), 3)).isEqualTo("pending");
    }

    @Test
    void refusesEveryWayOfNotShowingTheTokenOnTheDeadLetterRoutes() throws Exception {
        // given a dead letter, and requests that do not show the right token in every way a client can get it wrong
        deadLetter(0, 5L, new byte[] {1, 2, 3});
        Map<String, List<String>> refusals = Map.of(
                "missing", List.of(),
                "basic", List.of("Basic " + TOKEN),
                "bearer with nothing", List.of("Bearer "),
                "two headers", List.of("Bearer " + TOKEN, "Bearer " + TOKEN),
                "wrong token", List.of("Bearer " + TOKEN.toLowerCase(java.util.Locale.ROOT)));

        for (var refusal : refusals.entrySet()) {
            for (String path : List.of("/admin/dead-letters", "/admin/dead-letters/0/5/retry")) {
                // when
                HttpRequest.Builder request = HttpRequest.newBuilder(uri(path));
                refusal.getValue().forEach(value -> request.header("Authorization", value));
                HttpResponse<String> answer = send(
                        path.endsWith("retry")
                                ? request.POST(HttpRequest.BodyPublishers.noBody())
                                        .build()
                                : request.GET().build());

                // then
                String way = refusal.getKey() + " " + path;
                assertThat(answer.statusCode()).as(way).isEqualTo(401);
                assertThat(answer.headers().firstValue("WWW-Authenticate"))
                        .as(way)
                        .hasValueSatisfying(value -> assertThat(value).startsWith("Bearer realm=\"polyglot\""));
                assertThat(answer.body())
                        .as(way)
                        .contains("urn:polyglot:problem:unauthorized")
                        .doesNotContain(TOKEN);
            }
        }
        // and the right token, in any case of the scheme, gets through, to a dead letter no refused call decided
        HttpResponse<String> listed = send(HttpRequest.newBuilder(uri("/admin/dead-letters"))
                .header("Authorization", "bEARER " + TOKEN)
                .GET()
                .build());
        assertThat(listed.statusCode()).isEqualTo(200);
        assertThat(post("/admin/dead-letters/0/5/skip").statusCode()).isEqualTo(200);
        assertThat(send(HttpRequest.newBuilder(uri("/health/ready")).GET().build())
                        .statusCode())
                .isEqualTo(200);
    }

    /** An endpoint with admin routes of their own, as after a restart of the process. */
    private ServiceEndpoint endpointWithNewAdmin() {
        return ServiceEndpoint.start(
                "127.0.0.1", 0, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), () -> true, admin(), ACCESS);
    }

    private DeadLetterAdmin admin() {
        DeadLetterReader reader =
                new DeadLetterReader(kafka.bootstrapServers(), dlqTopic, Duration.ofSeconds(30), Map.of());
        SchemaCatalog catalog = new SchemaCatalog(
                kafka.bootstrapServers(),
                schemasTopic,
                Map.of(),
                Duration.ofSeconds(20),
                Duration.ZERO,
                Clock.systemUTC());
        return new DeadLetterAdmin(
                reader,
                group,
                TOPIC,
                new RecordDecoder(EventCodec.withCatalog(catalog)),
                store,
                work.resolve("late"),
                Clock.systemUTC());
    }

    private void deadLetter(int partition, long offset, byte[] value) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(Topics.HEADER_AGGREGATE_TYPE, "Loan".getBytes(StandardCharsets.UTF_8));
        headers.add(Topics.HEADER_EVENT_TYPE, "ActivityRecorded".getBytes(StandardCharsets.UTF_8));
        ConsumerRecord<byte[], byte[]> source = new ConsumerRecord<>(
                TOPIC,
                partition,
                offset,
                1_700_000_000_000L,
                TimestampType.CREATE_TIME,
                3,
                value.length,
                "L-7".getBytes(StandardCharsets.UTF_8),
                value,
                headers,
                Optional.empty());
        DeadLetterReader reader =
                new DeadLetterReader(kafka.bootstrapServers(), dlqTopic, Duration.ofSeconds(30), Map.of());
        try (DeadLetterPublisher publisher = DeadLetterPublisher.create(
                kafka.bootstrapServers(),
                Limits.DEFAULT_COMMAND_MAX_BYTES,
                Map.of(),
                dlqTopic,
                new DeadLetterLedger(reader, group),
                Duration.ofSeconds(10))) {
            publisher.publish(source, new IllegalStateException("cannot be archived"), 1);
        }
    }

    private void publishSchema(Map.Entry<String, String> entry) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(
                KafkaClientConfig.producer(kafka.bootstrapServers(), Limits.DEFAULT_COMMAND_MAX_BYTES, Map.of()))) {
            producer.send(new ProducerRecord<>(
                            schemasTopic,
                            entry.getKey().getBytes(StandardCharsets.UTF_8),
                            entry.getValue().getBytes(StandardCharsets.UTF_8)))
                    .get();
        }
    }

    private JsonNode list() throws Exception {
        HttpResponse<String> response = send(authorized(HttpRequest.newBuilder(uri("/admin/dead-letters")))
                .GET()
                .build());
        assertThat(response.statusCode()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    private static String resolutionOf(JsonNode listed, long offset) {
        for (JsonNode letter : listed.get("deadLetters")) {
            if (letter.get("offset").asLong() == offset) {
                return letter.get("resolution").asText();
            }
        }
        throw new AssertionError("no dead letter at offset " + offset + " in " + listed);
    }

    private HttpResponse<String> post(String path) throws Exception {
        return send(authorized(HttpRequest.newBuilder(uri(path)))
                .POST(HttpRequest.BodyPublishers.noBody())
                .build());
    }

    private static HttpRequest.Builder authorized(HttpRequest.Builder request) {
        return request.header("Authorization", "Bearer " + TOKEN);
    }

    private HttpResponse<String> send(HttpRequest request) throws Exception {
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + endpoint.port() + path);
    }
}
