package io.polyglot.projection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariDataSource;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.polyglot.projection.rebuild.RebuildMain;
import io.polyglot.runtime.AdminAccess;
import io.polyglot.runtime.ServiceEndpoint;
import io.polyglot.runtime.deadletter.DeadLetter;
import io.polyglot.runtime.deadletter.DeadLetterReader;
import io.polyglot.schemas.KnownSchemas;
import io.polyglot.schemas.NewerActivityRecorded;
import io.polyglot.schemas.avro.ActivityRecorded;
import io.polyglot.schemas.avro.EventEnvelope;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The projection's dead-letter endpoints: a retried dead letter is folded in at its place in the log exactly once, a
 * skipped or pending one stays out of the live and the rebuilt read model alike.
 */
class DeadLetterRetryTest extends WorkersOnKafkaAndPostgres {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newHttpClient();

    /**
     * This test's own newer writer schema: the shared one with its added field renamed, so that no other test of the
     * class has published it to the broker's schemas topic yet.
     */
    private final Schema newer = new Schema.Parser()
            .parse(NewerActivityRecorded.SCHEMA
                    .toString()
                    .replace("\"channel\"", "\"channel" + System.nanoTime() + "\""));

    private ProjectionConfig config;
    private HikariDataSource pool;
    private ServiceEndpoint endpoint;

    @BeforeEach
    void serveTheDeadLetterEndpoints() {
        config = ProjectionConfig.fromEnvironment(
                workers.environment(10, Map.of()), LoggerFactory.getLogger(DeadLetterRetryTest.class));
        pool = ReadModelDatabase.pool(config.database());
        endpoint = ServiceEndpoint.start(
                "127.0.0.1",
                0,
                new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
                () -> true,
                ProjectionMain.deadLetterAdmin(config, pool),
                AdminAccess.OPEN);
    }

    @AfterEach
    void stopTheEndpoints() {
        endpoint.close();
        pool.close();
    }

    @Test
    void aRetriedDeadLetterIsFoldedInAtItsPlaceOnceAndASecondRetryChangesNothing() throws Exception {
        // given an application whose second of three events names a schema nobody published yet
        List<SyntheticLog.Entry> events = threeEvents("Application_R1", "2011-10-05T09:00:00Z");
        workers.send(0, "Application_R1", Envelopes.encode(events.get(0)));
        workers.send(0, "Application_R1", withNewerPayload(events.get(1)));
        workers.send(0, "Application_R1", Envelopes.encode(events.get(2)));
        workers.start(10);
        workers.awaitViewsEqualTheFoldOf(SyntheticLog.of(List.of(events.get(0), events.get(2))));
        awaitDeadLetters(1);

        // when it is retried before the schema is published, then after
        HttpResponse<String> tooEarly = post("/admin/dead-letters/0/1/retry");
        JsonNode pending = get("/admin/dead-letters").get("deadLetters");
        publishTheNewerSchema();
        HttpResponse<String> retried = post("/admin/dead-letters/0/1/retry");

        // then the early retry changed nothing, and the later one folded the event in between its neighbours
        assertThat(tooEarly.statusCode()).isEqualTo(422);
        assertThat(tooEarly.body()).contains("urn:polyglot:problem:still-undecodable");
        assertThat(pending).hasSize(1);
        assertThat(pending.get(0).get("resolution").asText()).isEqualTo("pending");
        assertThat(retried.statusCode()).as(retried.body()).isEqualTo(200);
        assertThat(JSON.readTree(retried.body()).get("appliedNow").asBoolean()).isTrue();
        workers.awaitViewsEqualTheFoldOf(SyntheticLog.of(events));

        // and a second retry, a skip and a rebuild leave it applied exactly once
        HttpResponse<String> again = post("/admin/dead-letters/0/1/retry");
        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(again.body()).get("appliedNow").asBoolean()).isFalse();
        HttpResponse<String> skip = post("/admin/dead-letters/0/1/skip");
        assertThat(skip.statusCode()).isEqualTo(409);
        assertThat(skip.body()).contains("urn:polyglot:problem:dead-letter-retried");
        ReadModelRebuild.Swapped rebuilt = rebuild();
        assertThat(rebuilt.rowsDiffering())
                .allSatisfy((table, rows) -> assertThat(rows).as(table).isZero());
        workers.awaitViewsEqualTheFoldOf(SyntheticLog.of(events));
        assertThat(get("/admin/dead-letters")
                        .get("deadLetters")
                        .get(0)
                        .get("resolution")
                        .asText())
                .isEqualTo("retried");
    }

    @Test
    void skippedAndPendingDeadLettersStayOutOfARebuildThoughTheyDecodeNow() throws Exception {
        // given two applications, each with a dead letter in the middle, and the schema published afterwards
        List<SyntheticLog.Entry> first = threeEvents("Application_S1", "2011-10-06T09:00:00Z");
        List<SyntheticLog.Entry> second = threeEvents("Application_S2", "2011-10-07T09:00:00Z");
        for (List<SyntheticLog.Entry> events : List.of(first, second)) {
            String application = events.get(0).aggregateId();
            workers.send(1, application, Envelopes.encode(events.get(0)));
            workers.send(1, application, withNewerPayload(events.get(1)));
            workers.send(1, application, Envelopes.encode(events.get(2)));
        }
        workers.start(10);
        SyntheticLog withoutDeadLetters =
                SyntheticLog.of(List.of(first.get(0), first.get(2), second.get(0), second.get(2)));
        workers.awaitViewsEqualTheFoldOf(withoutDeadLetters);
        awaitDeadLetters(2);
        publishTheNewerSchema();

        // when the first one is skipped (twice) and the second left pending, and every view is rebuilt
        HttpResponse<String> skipped = post("/admin/dead-letters/1/1/skip");
        HttpResponse<String> skippedAgain = post("/admin/dead-letters/1/1/skip");
        HttpResponse<String> retryOfSkipped = post("/admin/dead-letters/1/1/retry");
        ReadModelRebuild.Swapped rebuilt = rebuild();

        // then neither is in the rebuilt views, which equal the live ones
        assertThat(skipped.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(skipped.body()).get("decidedNow").asBoolean()).isTrue();
        assertThat(JSON.readTree(skippedAgain.body()).get("decidedNow").asBoolean())
                .isFalse();
        assertThat(retryOfSkipped.statusCode()).isEqualTo(409);
        assertThat(retryOfSkipped.body()).contains("urn:polyglot:problem:dead-letter-skipped");
        assertThat(rebuilt.rowsDiffering())
                .allSatisfy((table, rows) -> assertThat(rows).as(table).isZero());
        workers.awaitViewsEqualTheFoldOf(withoutDeadLetters);
        JsonNode letters = get("/admin/dead-letters").get("deadLetters");
        assertThat(letters).hasSize(2);
        assertThat(letters.get(0).get("resolution").asText()).isEqualTo("skipped");
        assertThat(letters.get(1).get("resolution").asText()).isEqualTo("pending");
    }

    @Test
    void aRecordTheDatabaseRefusesIsLeftOutOfARebuildAndItsRetryIsRefusedAgainWithNothingChanged() throws Exception {
        // given a ticket whose second event holds a NUL character, which PostgreSQL refuses in a text column
        Instant nine = Instant.parse("2011-10-08T09:00:00Z");
        List<SyntheticLog.Entry> events = List.of(
                new SyntheticLog.Entry("HelpdeskTicket", "Case R", "Insert ticket", null, nine, Map.of()),
                new SyntheticLog.Entry(
                        "HelpdeskTicket", "Case R", "Take in\u0000charge ticket", null, nine.plusSeconds(60), Map.of()),
                new SyntheticLog.Entry("HelpdeskTicket", "Case R", "Closed", null, nine.plusSeconds(120), Map.of()));
        for (SyntheticLog.Entry event : events) {
            workers.send(2, "Case R", Envelopes.encode(event));
        }
        workers.start(10);
        SyntheticLog withoutTheRefused = SyntheticLog.of(List.of(events.get(0), events.get(2)));
        workers.awaitViewsEqualTheFoldOf(withoutTheRefused);
        awaitDeadLetters(1);

        // when every view is rebuilt, and the dead letter retried while the database still refuses it
        ReadModelRebuild.Swapped rebuilt = rebuild();
        HttpResponse<String> retried = post("/admin/dead-letters/2/1/retry");

        // then the rebuild passed over it as the live worker did, and the retry changed nothing
        assertThat(rebuilt.rowsDiffering())
                .allSatisfy((table, rows) -> assertThat(rows).as(table).isZero());
        assertThat(retried.statusCode()).as(retried.body()).isEqualTo(422);
        assertThat(retried.body()).contains("urn:polyglot:problem:still-refused");
        workers.awaitViewsEqualTheFoldOf(withoutTheRefused);
        assertThat(get("/admin/dead-letters")
                        .get("deadLetters")
                        .get(0)
                        .get("resolution")
                        .asText())
                .isEqualTo("pending");
    }

    @Test
    void answersNotFoundForARecordThatIsNoDeadLetterAndMethodNotAllowedForAGetOfAnAction() throws Exception {
        assertThat(post("/admin/dead-letters/0/99/retry").statusCode()).isEqualTo(404);
        assertThat(post("/admin/dead-letters/0/99/skip").statusCode()).isEqualTo(404);
        HttpResponse<String> wrongMethod = http.send(
                HttpRequest.newBuilder(uri("/admin/dead-letters/0/1/retry"))
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(wrongMethod.statusCode()).isEqualTo(405);
        assertThat(get("/admin/dead-letters").get("deadLetters")).isEmpty();
    }

    private ReadModelRebuild.Swapped rebuild() {
        try (HikariDataSource rebuildPool = ReadModelDatabase.pool(config.database(), RebuildMain.CONNECTIONS)) {
            return RebuildMain.of(
                            config,
                            rebuildPool,
                            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                            Clock.systemUTC())
                    .run(List.of());
        }
    }

    private void awaitDeadLetters(int count) {
        DeadLetterReader reader = new DeadLetterReader(
                servers.bootstrapServers(), workers.deadLetterTopic(), Duration.ofSeconds(30), Map.of());
        await().atMost(TestWorkers.PROJECTED_WITHIN)
                .untilAsserted(() -> assertThat(reader.read(workers.group()))
                        .extracting(DeadLetter::group)
                        .hasSize(count));
    }

    private HttpResponse<String> post(String path) throws Exception {
        return http.send(
                HttpRequest.newBuilder(uri(path))
                        .POST(HttpRequest.BodyPublishers.noBody())
                        .timeout(Duration.ofMinutes(2))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode get(String path) throws Exception {
        HttpResponse<String> response =
                http.send(HttpRequest.newBuilder(uri(path)).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + endpoint.port() + path);
    }

    private void publishTheNewerSchema() throws Exception {
        SchemasTopic.publish(
                servers.bootstrapServers(),
                servers.admin(),
                KnownSchemas.hex(KnownSchemas.fingerprint(newer)),
                newer.toString());
    }

    /** A submission with an amount, an acceptance and a decline, a minute apart. */
    private static List<SyntheticLog.Entry> threeEvents(String application, String at) {
        Instant start = Instant.parse(at);
        return List.of(
                new SyntheticLog.Entry(
                        "LoanApplication", application, "A_SUBMITTED", "COMPLETE", start, Map.of("AMOUNT_REQ", "900")),
                new SyntheticLog.Entry(
                        "LoanApplication", application, "A_ACCEPTED", "COMPLETE", start.plusSeconds(60), Map.of()),
                new SyntheticLog.Entry(
                        "LoanApplication", application, "A_DECLINED", "COMPLETE", start.plusSeconds(120), Map.of()));
    }

    /** The entry written with the newer writer schema of its payload, which only the schemas topic can explain. */
    private byte[] withNewerPayload(SyntheticLog.Entry entry) throws Exception {
        EventEnvelope envelope = Envelopes.CODEC.decode(Envelopes.encode(entry));
        ActivityRecorded activity = (ActivityRecorded) Envelopes.CODEC.decodePayload(envelope.getPayload());
        GenericRecord record = new GenericData.Record(newer);
        for (Schema.Field field : newer.getFields()) {
            if (activity.getSchema().getField(field.name()) != null) {
                Object value = activity.get(field.name());
                record.put(
                        field.name(),
                        value instanceof Instant at ? ChronoUnit.MICROS.between(Instant.EPOCH, at) : value);
            }
        }
        envelope.setPayload(new BinaryMessageEncoder<GenericRecord>(GenericData.get(), newer).encode(record));
        return Envelopes.CODEC.encode(envelope);
    }
}
