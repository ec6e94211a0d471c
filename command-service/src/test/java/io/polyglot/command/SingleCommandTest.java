package io.polyglot.command;

import static io.polyglot.command.RunningCommandService.json;
import static io.polyglot.command.intake.ValidCommands.recordActivity;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.polyglot.schemas.EventCodec;
import io.polyglot.schemas.KnownSchemas;
import io.polyglot.schemas.Topics;
import io.polyglot.schemas.avro.ActivityRecorded;
import io.polyglot.schemas.avro.EventEnvelope;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One command over HTTP against the running service and a real broker. */
class SingleCommandTest {

    @TempDir
    static Path dataDir;

    static RunningCommandService running;

    @BeforeAll
    static void start() {
        running = RunningCommandService.start(dataDir, Map.of());
    }

    @AfterAll
    static void stop() {
        running.close();
    }

    @Test
    void answersAGoodCommandWithItsDecidedEventOnceItIsOnTheTopicAsSent() {
        // given
        ObjectNode command = recordActivity("single-1", "Case 173688");
        long before = running.committedCount(Topics.EVENTS_ALL);

        // when
        HttpResponse<String> response = running.postJson(command.toString());

        // then
        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode answer = json(response);
        assertThat(answer.get("commandId").asText()).isEqualTo("single-1");
        assertThat(answer.get("status").asText()).isEqualTo("accepted");
        String eventId = answer.get("events").get(0).get("eventId").asText();
        assertThat(answer.get("events").get(0).get("aggregateVersion").asLong()).isEqualTo(1);
        assertThat(running.committedCount(Topics.EVENTS_ALL)).isEqualTo(before + 1);

        ConsumerRecord<byte[], byte[]> record = recordOf(eventId);
        assertThat(new String(record.key(), StandardCharsets.UTF_8)).isEqualTo("Case 173688");
        assertThat(header(record, Topics.HEADER_AGGREGATE_TYPE)).isEqualTo("LoanApplication");
        assertThat(header(record, Topics.HEADER_EVENT_TYPE)).isEqualTo("ActivityRecorded");
        EventEnvelope event = EventCodec.standard().decode(record.value());
        assertThat(record.timestamp()).isEqualTo(event.getRecordedAt().toEpochMilli());
        assertThat(event.getRecordedAt()).isAfter(Instant.parse("2020-01-01T00:00:00Z"));
        assertThat(event.getAggregateId()).isEqualTo("Case 173688");
        assertThat(event.getAggregateVersion()).isEqualTo(1);
        assertThat(event.getCommandId()).isEqualTo("single-1");
        assertThat(event.getCorrelationId()).isEqualTo("single-1");
        assertThat(event.getOccurredAt()).isEqualTo(Instant.parse("2011-09-30T22:38:44.546Z"));
        ActivityRecorded payload = (ActivityRecorded) EventCodec.standard().decodePayload(event.getPayload());
        assertThat(payload.getActivity()).isEqualTo("A_SUBMITTED");
        assertThat(payload.getLifecycle()).isEqualTo("COMPLETE");
        assertThat(payload.getResource()).isEqualTo("User_1");
        assertThat(payload.getAttributes()).containsEntry("amount", "20000").hasSize(2);
    }

    @Test
    void publishesEverySchemaItWritesToTheSchemasTopic() {
        // when
        List<ConsumerRecord<byte[], byte[]>> records =
                running.records(Topics.SCHEMAS, KnownSchemas.all().size());

        // then
        assertThat(records)
                .extracting(r -> new String(r.key(), StandardCharsets.UTF_8))
                .containsAll(KnownSchemas.all().keySet().stream()
                        .map(KnownSchemas::hex)
                        .toList());
        assertThat(records)
                .extracting(r -> new String(r.value(), StandardCharsets.UTF_8))
                .contains(KnownSchemas.envelope().toString());
    }

    @Test
    void answersReadyWhileKafkaAnswers() {
        // when
        HttpResponse<String> ready = running.get("/health/ready");
        HttpResponse<String> live = running.get("/health/live");

        // then
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(json(ready).get("status").asText()).isEqualTo("ready");
        assertThat(live.statusCode()).isEqualTo(200);
    }

    @Test
    void countsCommandsByTypeAndStatusInTheMetrics() {
        // given
        running.postJson(recordActivity("metrics-1", "m-1").toString());
        running.postJson("{not json");

        // when
        HttpResponse<String> metrics = running.get("/metrics");

        // then
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.body())
                .containsPattern("polyglot_commands_total\\{[^}]*status=\"accepted\"[^}]*type=\"RecordActivity\"")
                .containsPattern("polyglot_commands_total\\{[^}]*status=\"rejected\"[^}]*type=\"unknown\"")
                .contains("kafka_producer_");
    }

    @Test
    void servesItsOpenApiDocument() {
        // when
        HttpResponse<String> response = running.get("/openapi.json");

        // then
        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode document = json(response);
        assertThat(document.get("openapi").asText()).startsWith("3.");
        assertThat(document.get("paths").has("/v1/commands")).isTrue();
        assertThat(document.get("paths").has("/v1/commands:batch")).isTrue();
    }

    @Test
    void answersAnUnknownRouteWithANotFoundProblem() {
        // when
        HttpResponse<String> response = running.get("/v1/nothing-here");

        // then
        assertProblem(response, 404, "not-found");
    }

    @Test
    void answersAWrongMethodWithAMethodNotAllowedProblem() {
        // when
        HttpResponse<String> response = running.get("/v1/commands");

        // then
        assertProblem(response, 405, "method-not-allowed");
    }

    @Test
    void namesTheMethodsARouteAllowsWhenItRefusesAMethod() {
        // when: methods no route answers, on routes with and without path parameters
        HttpResponse<String> onCommands = running.get("/v1/commands");
        HttpResponse<String> onStatus =
                running.send(java.net.http.HttpRequest.newBuilder(running.uri("/v1/commands/some-id"))
                        .DELETE()
                        .build());

        // then
        assertThat(onCommands.headers().firstValue("Allow")).hasValue("POST");
        assertThat(onStatus.headers().firstValue("Allow")).hasValue("GET");
        assertProblem(onStatus, 405, "method-not-allowed");
    }

    @Test
    void takesTheMethodOfTheRequestLineAndNoneFromAMethodOverrideHeader() {
        // given: a decided command, which a GET of its id answers with 200
        running.postJson(recordActivity("override-1", "o-1").toString());
        assertThat(running.get("/v1/commands/override-1").statusCode()).isEqualTo(200);

        // when: a POST of that id that asks to be taken for a GET, and a command that asks to be taken for one
        HttpResponse<String> status = running.send(
                running.authorized(java.net.http.HttpRequest.newBuilder(running.uri("/v1/commands/override-1")))
                        .header("X-HTTP-Method-Override", "GET")
                        .POST(java.net.http.HttpRequest.BodyPublishers.noBody())
                        .build());
        HttpResponse<String> command =
                running.send(running.authorized(java.net.http.HttpRequest.newBuilder(running.uri("/v1/commands")))
                        .header("X-HTTP-Method-Override", "GET")
                        .header("Content-Type", "application/json")
                        .POST(java.net.http.HttpRequest.BodyPublishers.ofString(
                                recordActivity("override-2", "o-2").toString()))
                        .build());

        // then: each is what its request line says, a POST
        assertProblem(status, 405, "method-not-allowed");
        assertThat(status.headers().firstValue("Allow")).hasValue("GET");
        assertThat(json(status).get("detail").asText()).isEqualTo("POST is not allowed on /v1/commands/override-1");
        assertThat(command.statusCode()).isEqualTo(200);
        assertThat(json(command).get("commandId").asText()).isEqualTo("override-2");
    }

    @Test
    void answersAnUnknownHttpVersionWithABadRequestProblemRatherThanA5xx() throws IOException {
        // given
        String request = "GET /health/live HTTP/9.9\r\nHost: 127.0.0.1\r\n\r\n";

        // when
        String answer = RawHttp.exchange(running.service.port(), request);

        // then
        assertThat(answer).startsWith("HTTP/1.1 400").contains("urn:polyglot:problem:bad-request");
    }

    @Test
    void answersABodyWithABrokenChunkSizeWithABadRequestProblemAtOnce() throws IOException {
        // given: a chunk size that is not hexadecimal
        long before = running.committedCount(Topics.COMMANDS);
        String request = RawHttp.POST_COMMAND + "Transfer-Encoding: chunked\r\n\r\nZZ\r\n{}\r\n0\r\n\r\n";
        long started = System.nanoTime();

        // when
        String answer = RawHttp.exchange(running.service.port(), request);

        // then: refused as broken framing, not left to time out
        assertThat(answer).startsWith("HTTP/1.1 400").contains("urn:polyglot:problem:bad-request");
        assertThat(java.time.Duration.ofNanos(System.nanoTime() - started)).isLessThan(java.time.Duration.ofSeconds(5));
        assertThat(running.committedCount(Topics.COMMANDS)).isEqualTo(before);
    }

    @Test
    void answersAWrongContentTypeWithAnUnsupportedMediaTypeProblem() {
        // when
        HttpResponse<String> response =
                running.post("/v1/commands", "text/plain", recordActivity().toString());

        // then
        assertProblem(response, 415, "unsupported-media-type");
    }

    @Test
    void answersHeadersTooLargeForJettyWithAProblemAndNoStackTrace() throws IOException {
        // given
        String request = "GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Filler: " + "x".repeat(64 * 1024)
                + "\r\nConnection: close\r\n\r\n";

        // when
        String answer = RawHttp.exchange(running.service.port(), request);

        // then
        assertThat(answer).startsWith("HTTP/1.1 431");
        assertThat(answer).contains("application/problem+json").contains("urn:polyglot:problem:headers-too-large");
        assertThat(answer).doesNotContain("Exception").doesNotContain("<html");
    }

    static void assertProblem(HttpResponse<String> response, int status, String type) {
        assertThat(response.statusCode()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type"))
                .hasValueSatisfying(contentType -> assertThat(contentType).startsWith("application/problem+json"));
        JsonNode problem = json(response);
        assertThat(problem.get("type").asText()).isEqualTo("urn:polyglot:problem:" + type);
        assertThat(problem.get("status").asInt()).isEqualTo(status);
        assertThat(problem.get("title").asText()).isNotBlank();
        assertThat(problem.get("detail").asText()).isNotBlank();
        assertThat(response.body()).doesNotContain("Exception").doesNotContain("\tat ");
    }

    @Test
    void describesEveryRouteItServesInTheOpenApiDocument() {
        // given
        JsonNode paths = json(running.get("/openapi.json")).get("paths");

        // when
        List<String> missing = running.service.routes().stream()
                .filter(route -> {
                    String[] methodAndPath = route.split(" ", 2);
                    JsonNode path = paths.get(methodAndPath[1]);
                    return path == null || !path.has(methodAndPath[0].toLowerCase(java.util.Locale.ROOT));
                })
                .toList();

        // then
        assertThat(running.service.routes())
                .contains("POST /v1/commands", "GET /v1/aggregates/{aggregateType}/{aggregateId}");
        assertThat(missing).isEmpty();
    }

    private static ConsumerRecord<byte[], byte[]> recordOf(String eventId) {
        long total = running.committedCount(Topics.EVENTS_ALL);
        return running.records(Topics.EVENTS_ALL, (int) total).stream()
                .filter(r ->
                        EventCodec.standard().decode(r.value()).getEventId().equals(eventId))
                .findFirst()
                .orElseThrow();
    }

    private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
        return new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }
}
