package io.polyglot.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.polyglot.runtime.deadletter.DeadLetterHeaders;
import io.polyglot.schemas.Topics;
import io.polyglot.stack.KafkaBroker;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The events and dead-letter endpoints against a real Kafka broker: {@code events.all} with three partitions holding
 * ticket {@code Case 7}'s three events (keyed by the id, placed by Kafka's default partitioner), an undecodable record
 * and an event whose payload schema only the {@code schemas} topic knows; {@code events.dlq} with one dead letter. The
 * command service and the workers are stood in for by one loopback HTTP server of this test, which answers the
 * command service's head of {@code Case 7} and nothing else (404), and records what it was asked; the real ones are
 * asked in the browser tests.
 */
class EventEndpointsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TICKET = "Case 7";
    private static final Instant NINE = Instant.parse("2012-04-03T09:00:00Z");
    private static final String HEAD =
            "{\"aggregateType\":\"HelpdeskTicket\",\"aggregateId\":\"Case 7\",\"version\":3}";

    @TempDir
    static Path dataDir;

    private static KafkaBroker kafka;
    private static HttpServer services;
    private static final List<String> asked = new CopyOnWriteArrayList<>();
    private static TestDashboard dashboard;
    private static RecordMetadata ticketEvent;
    private static RecordMetadata garbage;
    private static RecordMetadata newer;

    @BeforeAll
    static void startKafkaWithEventsAndTheDashboard() throws Exception {
        kafka = KafkaBroker.start(dataDir.resolve("kafka"), 0);
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            admin.createTopics(List.of(
                            new NewTopic(Topics.EVENTS_ALL, 3, (short) 1),
                            new NewTopic(Topics.EVENTS_DLQ, 1, (short) 1),
                            new NewTopic(Topics.SCHEMAS, 1, (short) 1)))
                    .all()
                    .get();
        }
        try (SampleEvents events = new SampleEvents(kafka.bootstrapServers())) {
            for (int version = 1; version <= 3; version++) {
                events.append(
                        "HelpdeskTicket",
                        "Case 8",
                        SampleEvents.event("HelpdeskTicket", "Case 8", version, "Other " + version, NINE));
                ticketEvent = events.append(
                        "HelpdeskTicket",
                        TICKET,
                        SampleEvents.event(
                                "HelpdeskTicket", TICKET, version, "Step " + version, NINE.plusSeconds(version)));
            }
            garbage = events.append("HelpdeskTicket", "Case 9", "not an envelope".getBytes(StandardCharsets.UTF_8));
            events.publishTheNewerSchema();
            newer = events.append(
                    "HelpdeskTicket",
                    "Case 10",
                    SampleEvents.newerEvent("HelpdeskTicket", "Case 10", 1, "Insert ticket", NINE));
            events.send(deadLetter(garbage));
        }
        services = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        services.createContext("/", exchange -> {
            asked.add(
                    exchange.getRequestMethod() + " " + exchange.getRequestURI().getRawPath() + " "
                            + exchange.getRequestHeaders().getFirst("Authorization"));
            boolean head = exchange.getRequestURI().getRawPath().equals("/v1/aggregates/HelpdeskTicket/Case%207");
            byte[] body = (head ? HEAD : "{\"detail\":\"no such route\"}").getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(head ? 200 : 404, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        services.start();
        String servicesUrl = "http://127.0.0.1:" + services.getAddress().getPort();
        dashboard = TestDashboard.start(
                dataDir,
                Clock.systemUTC(),
                Map.of(
                        "KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(),
                        "COMMAND_URL", servicesUrl,
                        "ARCHIVER_HEALTH_URL", servicesUrl,
                        "PROJECTION_HEALTH_URL", servicesUrl,
                        "EVENTS_READ_TIMEOUT", "20s"));
    }

    private static ProducerRecord<byte[], byte[]> deadLetter(RecordMetadata source) {
        ProducerRecord<byte[], byte[]> letter = new ProducerRecord<>(
                Topics.EVENTS_DLQ,
                "Case 9".getBytes(StandardCharsets.UTF_8),
                "not an envelope".getBytes(StandardCharsets.UTF_8));
        Map<String, String> headers = Map.of(
                DeadLetterHeaders.SOURCE_TOPIC,
                Topics.EVENTS_ALL,
                DeadLetterHeaders.SOURCE_PARTITION,
                Integer.toString(source.partition()),
                DeadLetterHeaders.SOURCE_OFFSET,
                Long.toString(source.offset()),
                DeadLetterHeaders.SOURCE_TIMESTAMP,
                Long.toString(source.timestamp()),
                DeadLetterHeaders.GROUP,
                "polyglot-projection",
                DeadLetterHeaders.ERROR_CLASS,
                "io.polyglot.schemas.UndecodableRecordException",
                DeadLetterHeaders.ERROR_MESSAGE,
                "not Avro single-object encoding",
                DeadLetterHeaders.ATTEMPTS,
                "1");
        headers.forEach(
                (name, value) -> letter.headers().add(new RecordHeader(name, value.getBytes(StandardCharsets.UTF_8))));
        return letter;
    }

    @AfterAll
    static void stopEverything() {
        if (dashboard != null) {
            dashboard.close();
        }
        if (services != null) {
            services.stop(0);
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void listsTheEventsOfOneAggregateInVersionOrderFromThePartitionItsKeyGoesTo() throws Exception {
        // when
        HttpResponse<String> response = dashboard.get("/api/aggregates/HelpdeskTicket/Case%207");

        // then
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode history = JSON.readTree(response.body());
        assertThat(history.get("partition").asInt()).isEqualTo(ticketEvent.partition());
        assertThat(history.get("scan").get("complete").asBoolean()).isTrue();
        List<String> events = new ArrayList<>();
        history.get("events")
                .forEach(event -> events.add(event.get("value")
                                .get("aggregateVersion")
                                .asLong() + " "
                        + event.get("value").get("payload").get("activity").asText()));
        assertThat(events).containsExactly("1 Step 1", "2 Step 2", "3 Step 3");
    }

    @Test
    void showsTheHeadStateTheCommandServiceAnswersAskedWithTheStacksToken() throws Exception {
        // when
        JsonNode history = JSON.readTree(
                dashboard.get("/api/aggregates/HelpdeskTicket/Case%207").body());

        // then
        assertThat(history.get("head")).isEqualTo(JSON.readTree(HEAD));
        assertThat(asked).contains("GET /v1/aggregates/HelpdeskTicket/Case%207 Bearer " + TestDashboard.TOKEN);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "/api/aggregates/HelpdeskTicket/Case%207, 200",
        "/api/aggregates/HelpdeskTicket/nobody, 200",
        "/api/topics/events.all, 200",
        "/api/topics/nope, 404",
        "/api/topics/events.all/partitions/0?size=1, 200",
        "/api/topics/events.all/partitions/7, 404"
    })
    void answersAHeadWithTheStatusAndHeadersOfAGetWithoutTheBody(String path, int status) throws Exception {
        dashboard.assertHeadAnswersAsGet(path, status);
    }

    @Test
    void refusesAnAggregateTypeThatBreaksTheNameRules() throws Exception {
        // when
        HttpResponse<String> response = dashboard.get("/api/aggregates/helpdesk/Case%207");

        // then
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(response.body()).get("parameter").asText()).isEqualTo("type");
    }

    @Test
    void refusesAnAggregateIdWhoseEscapesAreNotUtf8() throws Exception {
        // when
        HttpResponse<String> response = dashboard.get("/api/aggregates/HelpdeskTicket/%ff%fe");

        // then: the type the command service gives the same fault
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(response.body()).path("type").asText()).isEqualTo("urn:polyglot:problem:bad-request");
        // the bytes are not turned into U+FFFD and looked up
        assertThat(asked).noneMatch(request -> request.contains("%EF%BF%BD") || request.contains("\uFFFD"));
    }

    @Test
    void refusesAPartitionPageParameterItDoesNotTake() throws Exception {
        // when
        HttpResponse<String> response = dashboard.get("/api/topics/events.all/partitions/0?sise=5");

        // then
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(response.body()).path("parameter").asText()).isEqualTo("sise");
    }

    @Test
    void refusesAPartitionPageParameterGivenTwice() throws Exception {
        // when
        HttpResponse<String> response = dashboard.get("/api/topics/events.all/partitions/0?size=5&size=7");

        // then
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(response.body()).path("parameter").asText()).isEqualTo("size");
    }

    @Test
    void decodesEachRecordOfAPartitionPageWithItsEnvelopeAndPayloadAsJson() throws Exception {
        // when
        JsonNode page = page(ticketEvent.partition(), "?offset=" + ticketEvent.offset() + "&size=1");

        // then
        JsonNode record = page.get("records").get(0);
        assertThat(record.get("offset").asLong()).isEqualTo(ticketEvent.offset());
        assertThat(record.get("key").asText()).isEqualTo(TICKET);
        assertThat(record.get("headers").get(0).get("name").asText()).isEqualTo(Topics.HEADER_AGGREGATE_TYPE);
        assertThat(record.get("value").get("aggregateVersion").asLong()).isEqualTo(3);
        assertThat(record.get("value")
                        .get("payload")
                        .get("attributes")
                        .get("source")
                        .asText())
                .isEqualTo("test");
        assertThat(record.get("value").get("payload").get("occurredAt").asText())
                .isEqualTo("2012-04-03T09:00:03Z");
    }

    @Test
    void showsARecordThatCannotBeDecodedWithTheReasonAndItsBytes() throws Exception {
        // when
        JsonNode page = page(garbage.partition(), "?offset=" + garbage.offset() + "&size=1");

        // then
        JsonNode value = page.get("records").get(0).get("value");
        assertThat(value.get("decoded").asBoolean()).isFalse();
        assertThat(value.get("reason").asText()).contains("not Avro single-object encoding");
        assertThat(Base64.getDecoder().decode(value.get("base64").asText()))
                .asString()
                .isEqualTo("not an envelope");
    }

    @Test
    void decodesAPayloadWithTheSchemaOnlyTheSchemasTopicHolds() throws Exception {
        // when
        JsonNode page = page(newer.partition(), "?offset=" + newer.offset() + "&size=1");

        // then
        JsonNode value = page.get("records").get(0).get("value");
        assertThat(value.get("payload").get("activity").asText()).isEqualTo("Insert ticket");
        assertThat(value.get("payloadSchema").asText()).isEqualTo("io.polyglot.schemas.avro.ActivityRecorded");
    }

    @Test
    void pagesThroughAPartitionWithTheNextAndPreviousOffsets() throws Exception {
        // given
        JsonNode first = page(ticketEvent.partition(), "?size=2");

        // when
        JsonNode second = page(
                ticketEvent.partition(),
                "?size=2&offset=" + first.get("nextOffset").asLong());
        JsonNode back = page(
                ticketEvent.partition(),
                "?size=2&offset=" + second.get("previousOffset").asLong());

        // then
        assertThat(first.get("previousOffset").isNull()).isTrue();
        assertThat(second.get("records").get(0).get("offset").asLong())
                .isEqualTo(first.get("records").get(1).get("offset").asLong() + 1);
        assertThat(back.get("records")).isEqualTo(first.get("records"));
    }

    @ParameterizedTest
    @CsvSource({
        "/api/topics/commands/partitions/0, 404",
        "/api/topics/events.all/partitions/3, 404",
        "/api/topics/events.all/partitions/x, 400",
        "/api/topics/events.all/partitions/0?size=0, 400",
        "/api/topics/events.all/partitions/0?size=201, 400",
        "/api/topics/events.all/partitions/0?offset=-1, 400",
        "/api/topics/events.dlq/partitions/0?size=200, 200"
    })
    void answersAPageRequestOutsideTheTopicsAndBoundsWithAProblem(String path, int status) throws Exception {
        // when
        HttpResponse<String> response = dashboard.get(path);

        // then
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        if (status != 200) {
            assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        // full-width 1, Arabic-Indic 1, a plus sign, a space: digits Long.parseLong reads, or text it would strip
        "/api/topics/events.all/partitions/%EF%BC%91, partition",
        "/api/topics/events.all/partitions/%D9%A1, partition",
        "/api/topics/events.all/partitions/+1, partition",
        "/api/topics/events.all/partitions/%201, partition",
        "/api/topics/events.all/partitions/99999999999999999999, partition",
        "/api/topics/events.all/partitions/1?offset=%EF%BC%91%EF%BC%90&size=2, offset",
        "/api/topics/events.all/partitions/1?offset=%2B10&size=2, offset",
        "/api/topics/events.all/partitions/1?offset=10&size=%EF%BC%92, size",
        "/api/topics/events.all/partitions/1?size=%202, size",
        "/api/topics/events.all/partitions/1?offset=, offset",
        "/api/topics/events.all/partitions/1?offset=9223372036854775808, offset",
        "/api/dead-letters/polyglot-archiver/%EF%BC%90/5/skip, partition",
        "/api/dead-letters/polyglot-archiver/0/%D9%A5/skip, offset",
        "/api/dead-letters/polyglot-archiver/+0/5/skip, partition"
    })
    void refusesANumberThatIsNotAsciiDigitsNamingTheParameter(String path, String parameter) throws Exception {
        // given
        int askedBefore = asked.size();

        // when
        HttpResponse<String> response = path.startsWith("/api/dead-letters") ? post(path) : dashboard.get(path);

        // then: the same problem on every route, the dead-letter decisions' included
        assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
        JsonNode problem = JSON.readTree(response.body());
        assertThat(problem.path("type").asText()).isEqualTo("urn:polyglot:problem:invalid-parameter");
        assertThat(problem.path("parameter").asText()).isEqualTo(parameter);
        assertThat(problem.path("detail").asText()).startsWith(parameter + " ");
        assertThat(asked).as("nobody is asked").hasSize(askedBefore);
    }

    @Test
    void listsADeadLetterWithItsHeadersAndAnUnknownResolutionWhenItsWorkerDoesNotListIt() throws Exception {
        // when
        HttpResponse<String> response = dashboard.get("/api/dead-letters");

        // then
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode letter = JSON.readTree(response.body()).get("deadLetters").get(0);
        JsonNode dead = letter.get("deadLetter");
        assertThat(dead.get("group").asText()).isEqualTo("polyglot-projection");
        assertThat(dead.get("sourceOffset").asLong()).isEqualTo(garbage.offset());
        assertThat(dead.get("sourceTimestamp").asText())
                .isEqualTo(Instant.ofEpochMilli(garbage.timestamp()).toString());
        assertThat(dead.get("errorClass").asText()).isEqualTo("io.polyglot.schemas.UndecodableRecordException");
        assertThat(dead.get("attempts").asInt()).isEqualTo(1);
        assertThat(dead.get("resolution").asText()).isEqualTo("unknown");
        assertThat(letter.get("value").get("decoded").asBoolean()).isFalse();
    }

    @Test
    void givesTheSourcePartitionSourceOffsetAndAttemptsOfADeadLetterAsJsonNumbers() throws Exception {
        // when
        HttpResponse<String> response = dashboard.get("/api/dead-letters");

        // then
        JsonNode dead = JSON.readTree(response.body()).get("deadLetters").get(0).get("deadLetter");
        assertThat(dead.get("sourcePartition").isIntegralNumber())
                .as(dead.toString())
                .isTrue();
        assertThat(dead.get("sourceOffset").isIntegralNumber())
                .as(dead.toString())
                .isTrue();
        assertThat(dead.get("attempts").isIntegralNumber()).as(dead.toString()).isTrue();
        assertThat(dead.get("sourcePartition").asInt()).isEqualTo(garbage.partition());
        assertThat(dead.get("sourceOffset").asLong()).isEqualTo(garbage.offset());
        assertThat(dead.get("attempts").asInt()).isEqualTo(1);
    }

    @Test
    void passesADecisionToTheWorkerAndAnswersWhatItAnswered() throws Exception {
        // when
        HttpResponse<String> response = post("/api/dead-letters/polyglot-archiver/0/5/skip");

        // then
        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(asked).contains("POST /admin/dead-letters/0/5/skip Bearer " + TestDashboard.TOKEN);
    }

    @ParameterizedTest
    @CsvSource({
        "/api/dead-letters/someone-else/0/5/retry, 404",
        "/api/dead-letters/polyglot-projection/0/5/delete, 404",
        "/api/dead-letters/polyglot-projection/x/5/retry, 400",
        "/api/dead-letters/polyglot-projection/0/9223372036854775808/retry, 400",
        "/api/dead-letters/polyglot-projection/2147483648/5/retry, 400"
    })
    void refusesADecisionForAnUnknownGroupActionOrOffset(String path, int status) throws Exception {
        // when
        HttpResponse<String> response = post(path);

        // then
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    }

    @Test
    void passesADecisionOnTheLargestOffsetToTheWorker() throws Exception {
        // when
        HttpResponse<String> response = post("/api/dead-letters/polyglot-archiver/0/9223372036854775807/skip");

        // then: the stand-in worker answers 404 to every decision it is asked
        assertThat(response.statusCode()).as(response.body()).isEqualTo(404);
        assertThat(asked).contains("POST /admin/dead-letters/0/9223372036854775807/skip Bearer " + TestDashboard.TOKEN);
    }

    @Test
    void saysAnOffsetPastTheLargestIsOutOfRange() throws Exception {
        // when
        HttpResponse<String> response = post("/api/dead-letters/polyglot-archiver/0/9223372036854775808/skip");

        // then
        assertThat(JSON.readTree(response.body()).path("detail").asText()).contains("out of range");
    }

    private static JsonNode page(int partition, String query) throws Exception {
        HttpResponse<String> response = dashboard.get("/api/topics/events.all/partitions/" + partition + query);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    private static HttpResponse<String> post(String path) throws Exception {
        return dashboard.send(HttpRequest.newBuilder(URI.create(dashboard.url(path)))
                .header("Authorization", "Bearer " + TestDashboard.TOKEN)
                .POST(HttpRequest.BodyPublishers.noBody())
                .build());
    }
}
