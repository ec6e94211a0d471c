package io.polyglot.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Seed page's API against a dashboard that runs the importer's real jar as a child process, with a seed folder of
 * small logs and a stand-in command service that accepts every command (or holds its answers, so an import stays
 * running): listing, starting, following and cancelling an import, and the 400, 409 and 413 answers.
 */
class SeedEndpointTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration IMPORT = Duration.ofSeconds(60);
    private static final Path IMPORTER_JAR = Path.of(System.getProperty("polyglot.root", ".."))
            .toAbsolutePath()
            .normalize()
            .resolve("importer/target/importer.jar");

    @TempDir
    static Path dataDir;

    private static Path seedFolder;
    private static AcceptingCommandService commandService;
    private static TestDashboard dashboard;

    @BeforeAll
    static void startTheDashboardWithASeedFolder() throws Exception {
        seedFolder = Files.createDirectories(dataDir.resolve("seed"));
        Files.createDirectories(seedFolder.resolve("helpdesk"));
        Files.writeString(seedFolder.resolve("helpdesk/tickets.xes"), xes(3, 4));
        Files.writeString(seedFolder.resolve("readings.csv"), "station,hour\nA,2013-01-01T00:00:00Z\n");
        Files.writeString(seedFolder.resolve("notes.txt"), "not a log");
        Files.writeString(dataDir.resolve("outside.xes"), xes(1, 1));
        commandService = AcceptingCommandService.start();
        dashboard = TestDashboard.start(
                dataDir,
                Clock.systemUTC(),
                Map.of(
                        "IMPORTER_JAR", IMPORTER_JAR.toString(),
                        "SEED_DIRECTORY", seedFolder.toString(),
                        "SEED_UPLOAD_MAX_MB", "1",
                        "COMMAND_URL", commandService.url()));
    }

    @AfterAll
    static void stopEverything() {
        if (dashboard != null) {
            dashboard.close();
        }
        if (commandService != null) {
            commandService.close();
        }
    }

    @AfterEach
    void endTheImport() throws Exception {
        if ("running".equals(status().path("state").asText())) {
            dashboard.postForm("/api/seed/cancel", Map.of());
        }
        commandService.release();
        await().atMost(IMPORT)
                .until(() -> !List.of("running", "cancelling")
                        .contains(status().path("state").asText()));
    }

    @Test
    void listsOnlyTheLogsOfTheSeedFolderByTheirPathWithinIt() throws Exception {
        // when
        HttpResponse<String> response = dashboard.get("/api/seed/files");

        // then
        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode body = JSON.readTree(response.body());
        assertThat(StreamSupport.stream(body.path("files").spliterator(), false)
                        .map(file -> file.path("path").asText()))
                .containsExactly("helpdesk/tickets.xes", "readings.csv");
        assertThat(body.path("uploadMaxBytes").asLong()).isEqualTo(1024 * 1024);
    }

    @Test
    void runsTheImporterToTheEndWithTheTokenInItsEnvironmentAndShowsItsSummary() throws Exception {
        // when
        HttpResponse<String> started = startImport("helpdesk/tickets.xes", "HelpdeskTicket");

        // then
        assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
        await().atMost(IMPORT)
                .until(() -> "succeeded".equals(status().path("state").asText()));
        JsonNode status = status();
        assertThat(status.path("exitStatus").asInt()).isZero();
        assertThat(status.path("progress").path("sent").asLong()).isEqualTo(12);
        assertThat(status.path("progress").path("accepted").asLong()).isEqualTo(12);
        assertThat(status.path("summary").asText()).contains("accepted  12");
        assertThat(commandService.authorizations()).isNotEmpty().containsOnly("Bearer " + TestDashboard.TOKEN);
    }

    @Test
    void refusesASecondImportWhileOneRunsWith409() throws Exception {
        // given an import whose commands the command service holds unanswered
        commandService.hold();
        assertThat(startImport("helpdesk/tickets.xes", "HelpdeskTicket").statusCode())
                .isEqualTo(202);

        // when
        HttpResponse<String> second = startImport("helpdesk/tickets.xes", "HelpdeskTicket");

        // then
        assertThat(second.statusCode()).isEqualTo(409);
        assertThat(JSON.readTree(second.body()).path("type").asText()).isEqualTo("urn:polyglot:problem:conflict");
    }

    @Test
    void keepsTheTokenOffTheImportersCommandLine() throws Exception {
        // given
        commandService.hold();

        // when
        startImport("helpdesk/tickets.xes", "HelpdeskTicket");

        // then
        Optional<String> importer = ProcessHandle.current()
                .children()
                .map(child -> child.info().commandLine().orElse(""))
                .filter(line -> line.contains("importer.jar"))
                .findFirst();
        assertThat(importer).isPresent();
        assertThat(importer.get()).doesNotContain(TestDashboard.TOKEN).contains("--progress=json");
    }

    @Test
    void answersACancelOnceTheImporterHasEndedWithTheCancelledStateAndTheEventsSent() throws Exception {
        // given
        commandService.hold();
        startImport("helpdesk/tickets.xes", "HelpdeskTicket");

        // when
        HttpResponse<String> cancelled = dashboard.postForm("/api/seed/cancel", Map.of());

        // then: the answer comes once the importer has ended, with its final state
        assertThat(cancelled.statusCode()).as(cancelled.body()).isEqualTo(200);
        JsonNode body = JSON.readTree(cancelled.body());
        assertThat(body.path("state").asText()).isEqualTo("cancelled");
        assertThat(body.path("endedAt").isTextual()).isTrue();
        assertThat(body.path("progress").path("sent").asLong(0)).isZero();
    }

    @Test
    void refusesACancelWhenNoImportRunsWith409() throws Exception {
        // when
        HttpResponse<String> response = dashboard.postForm("/api/seed/cancel", Map.of());

        // then
        assertThat(response.statusCode()).isEqualTo(409);
    }

    @Test
    void refusesAFileOutsideTheSeedFolderWith400() throws Exception {
        // when
        HttpResponse<String> response = startImport("../outside.xes", "HelpdeskTicket");

        // then
        assertThat(response.statusCode()).isEqualTo(400);
        JsonNode problem = JSON.readTree(response.body());
        assertThat(problem.path("parameter").asText()).isEqualTo("file");
        assertThat(problem.path("detail").asText()).contains("outside the seed folder");
    }

    @Test
    void refusesAFileTheSeedFolderDoesNotHoldWith400() throws Exception {
        // when
        HttpResponse<String> response = startImport("notes.txt", "HelpdeskTicket");

        // then
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(response.body()).path("parameter").asText()).isEqualTo("file");
    }

    @Test
    void refusesAnImportWithoutAnAggregateTypeWith400() throws Exception {
        // when
        HttpResponse<String> response = dashboard.postForm("/api/seed", Map.of("file", "helpdesk/tickets.xes"));

        // then
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(response.body()).path("parameter").asText()).isEqualTo("type");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"type", "caseColumn", "zone", "source"})
    void refusesAFieldGivenBlankWith400NamingItRatherThanTakingItForMissing(String field) throws Exception {
        // given a CSV import the importer would take, but for the one field sent empty
        Map<String, String> form = new java.util.HashMap<>(Map.of(
                "file",
                "readings.csv",
                "type",
                "WeatherStation",
                "caseColumn",
                "station",
                "timeColumn",
                "hour",
                "activity",
                "Reading",
                "source",
                "folder"));
        form.put(field, "");

        // when
        HttpResponse<String> response = dashboard.postForm("/api/seed", form);

        // then
        assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
        JsonNode problem = JSON.readTree(response.body());
        assertThat(problem.path("type").asText()).isEqualTo("urn:polyglot:problem:invalid-parameter");
        assertThat(problem.path("parameter").asText()).isEqualTo(field);
    }

    @Test
    void refusesACsvLogWithoutItsCaseColumnWith400() throws Exception {
        // when
        HttpResponse<String> response = dashboard.postForm(
                "/api/seed", Map.of("file", "readings.csv", "type", "WeatherStation", "timeColumn", "hour"));

        // then
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(response.body()).path("parameter").asText()).isEqualTo("caseColumn");
    }

    @Test
    void importsAnUploadedLog() throws Exception {
        // when
        HttpResponse<String> started = upload("tickets.xes", xes(2, 2).getBytes(StandardCharsets.UTF_8));

        // then
        assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
        await().atMost(IMPORT)
                .until(() -> "succeeded".equals(status().path("state").asText()));
        assertThat(status().path("file").asText()).isEqualTo("tickets.xes (uploaded)");
        assertThat(status().path("summary").asText()).contains("accepted  4");
    }

    @Test
    void refusesAnUploadOverTheLimitWith413() throws Exception {
        // given 1 MiB and a bit more, over SEED_UPLOAD_MAX_MB=1
        byte[] content = new byte[1024 * 1024 + 10];

        // when
        HttpResponse<String> response = upload("big.xes", content);

        // then
        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(status().path("state").asText()).isNotEqualTo("running");
    }

    @Test
    void refusesAFieldTheImportDoesNotTakeWith400() throws Exception {
        // when
        HttpResponse<String> response = dashboard.postForm(
                "/api/seed", Map.of("file", "helpdesk/tickets.xes", "type", "HelpdeskTicket", "dryRun", "true"));

        // then
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(response.body()).path("parameter").asText()).isEqualTo("dryRun");
        assertThat(status().path("state").asText()).isNotEqualTo("running");
    }

    @Test
    void refusesACsvColumnForAnXesLogWith400() throws Exception {
        // when
        HttpResponse<String> response = dashboard.postForm(
                "/api/seed", Map.of("file", "helpdesk/tickets.xes", "type", "HelpdeskTicket", "caseColumn", "id"));

        // then
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(response.body()).path("parameter").asText()).isEqualTo("caseColumn");
    }

    @Test
    void refusesACancelWithAParameterWith400() throws Exception {
        // when
        HttpResponse<String> response = dashboard.postForm("/api/seed/cancel?force=true", Map.of());

        // then
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(response.body()).path("parameter").asText()).isEqualTo("force");
    }

    @Test
    void refusesAMultipartBodyCutOffInsideAPartAsMalformed() throws Exception {
        // given a part that starts and never ends
        String boundary = "seed-" + UUID.randomUUID();
        String body = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"type\"\r\n\r\nHelpdes";

        // when
        HttpResponse<String> response = post("multipart/form-data; boundary=" + boundary, body);

        // then
        assertMalformed(response);
    }

    @Test
    void refusesAMultipartBodyWithoutABoundaryAsMalformed() throws Exception {
        // when
        HttpResponse<String> response = post("multipart/form-data", "type=HelpdeskTicket");

        // then
        assertMalformed(response);
    }

    @Test
    void refusesAFormInACharsetThatDoesNotExistAsMalformed() throws Exception {
        // when
        HttpResponse<String> response = post(
                "application/x-www-form-urlencoded; charset=bogus", "file=helpdesk/tickets.xes&type=HelpdeskTicket");

        // then
        assertMalformed(response);
    }

    private static void assertMalformed(HttpResponse<String> response) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
        assertThat(response.headers().firstValue("Content-Type")).contains("application/problem+json");
        assertThat(JSON.readTree(response.body()).path("type").asText())
                .isEqualTo("urn:polyglot:problem:malformed-request");
    }

    private static HttpResponse<String> post(String contentType, String body) throws Exception {
        return dashboard.send(HttpRequest.newBuilder(URI.create(dashboard.url("/api/seed")))
                .header("Authorization", "Bearer " + TestDashboard.TOKEN)
                .header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
                .build());
    }

    private static JsonNode status() throws Exception {
        return JSON.readTree(dashboard.get("/api/seed").body());
    }

    private static HttpResponse<String> startImport(String file, String type) throws Exception {
        return dashboard.postForm("/api/seed", Map.of("file", file, "type", type));
    }

    private static HttpResponse<String> upload(String fileName, byte[] content) throws Exception {
        String boundary = "seed-" + UUID.randomUUID();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"type\"\r\n\r\nHelpdeskTicket\r\n"
                        + "--" + boundary + "\r\nContent-Disposition: form-data; name=\"upload\"; filename=\""
                        + fileName + "\"\r\nContent-Type: application/octet-stream\r\n\r\n")
                .getBytes(StandardCharsets.UTF_8));
        body.writeBytes(content);
        body.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return dashboard.send(HttpRequest.newBuilder(URI.create(dashboard.url("/api/seed")))
                .header("Authorization", "Bearer " + TestDashboard.TOKEN)
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray()))
                .build());
    }

    /** An XES log of {@code cases} cases with {@code events} events each. */
    private static String xes(int cases, int events) {
        StringBuilder xes =
                new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<log xes.version=\"1.0\">\n");
        for (int c = 1; c <= cases; c++) {
            xes.append("<trace><string key=\"concept:name\" value=\"case-")
                    .append(c)
                    .append("\"/>\n");
            for (int e = 1; e <= events; e++) {
                xes.append("<event><string key=\"concept:name\" value=\"step ")
                        .append(e)
                        .append("\"/><date key=\"time:timestamp\" value=\"2012-01-01T00:0")
                        .append(e)
                        .append(":00Z\"/></event>\n");
            }
            xes.append("</trace>\n");
        }
        return xes.append("</log>\n").toString();
    }
}
