package io.polyglot.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.polyglot.runtime.TopicSetup;
import io.polyglot.schemas.Limits;
import io.polyglot.stack.FreePorts;
import io.polyglot.testservers.TestKafka;
import io.polyglot.testservers.TestServers;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The importer's jar against the command service's jar on a real broker, with the command service killed
 * ({@code kill -9}) in the middle of the import and started again on the same port, broker and state folder: with the
 * default {@code --retry-for} the import goes on once the service is back and every command is accepted, and while it
 * waits stderr says in words that the service is away and for how long it has waited.
 */
class ImportThroughACommandServiceRestartTest {

    private static final Path ROOT =
            Path.of(System.getProperty("polyglot.root", "..")).toAbsolutePath().normalize();
    private static final int PARTITIONS = 3;
    private static final int CASES = 200;
    private static final int EVENTS_PER_CASE = 20;

    @TempDir
    Path dir;

    private final List<Process> processes = new ArrayList<>();
    private TestKafka broker;

    @AfterEach
    void stop() throws InterruptedException {
        for (Process process : processes) {
            process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void importsEveryEventThroughAKillAndRestartOfTheCommandServiceWithTheDefaultRetryBudget() throws Exception {
        // given a command service on a real broker, and a log of 4,000 events sent 20 at a time, one batch in flight
        broker = TestServers.kafka(dir.resolve("kafka"));
        try (Admin admin =
                Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
            TopicSetup.ensure(admin, PARTITIONS, (short) 1, Limits.DEFAULT_COMMAND_MAX_BYTES);
        }
        int port = FreePorts.pick();
        String applicationId = "decider-restart-" + UUID.randomUUID();
        Process service = startCommandService(port, applicationId, 1);
        awaitReady(port);
        Path log = writeLog(dir.resolve("cases.xes"));
        Path importerOutput = dir.resolve("import.out");
        Path importerErrors = dir.resolve("import.err");
        Process importer = startImporter(port, log, importerOutput, importerErrors);

        // when the command service is killed once the import is under way, and started again 5 s later
        await().atMost(Duration.ofMinutes(2))
                .until(() -> Files.readString(importerErrors).contains("\"sent\":"));
        service.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        await().pollDelay(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(6)).until(() -> true);
        startCommandService(port, applicationId, 2);

        // then
        assertThat(importer.waitFor(10, TimeUnit.MINUTES)).isTrue();
        String errors = Files.readString(importerErrors);
        String summary = Files.readString(importerOutput);
        assertThat(importer.exitValue()).as(errors + summary).isZero();
        assertThat(summary).contains(String.format("accepted  %,d", CASES * EVENTS_PER_CASE));
        assertThat(errors)
                .containsPattern("the command service at http://127.0.0.1:" + port
                        + " (is not listening|closed the connection before answering in full)")
                .containsPattern("waited [0-9.]+ s so far");
    }

    private Process startCommandService(int port, String applicationId, int run) throws IOException {
        Path jar = ROOT.resolve("command-service/target/command-service.jar");
        assertThat(jar)
                .as("the service's jar; build it with mvn -o -q -pl command-service package -DskipTests")
                .isRegularFile();
        ProcessBuilder builder = new ProcessBuilder(java(), "-Xmx384m", "-jar", jar.toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("command-service-" + run + ".log").toFile());
        Map<String, String> env = builder.environment();
        env.put("KAFKA_BOOTSTRAP_SERVERS", broker.bootstrapServers());
        env.put("HTTP_HOST", "127.0.0.1");
        env.put("HTTP_PORT", String.valueOf(port));
        env.put("TOPIC_PARTITIONS", String.valueOf(PARTITIONS));
        env.put("DECIDER_APPLICATION_ID", applicationId);
        env.put(
                "DECIDER_STATE_DIR",
                Files.createDirectories(dir.resolve("decider")).toString());
        // The restarted service is given the killed one's partitions after this, not after the 45 s default: until
        // then its decider waits for the dead member and its HTTP port stays closed.
        env.put("KAFKA_STREAMS_SESSION_TIMEOUT_MS", "6000");
        env.put("KAFKA_STREAMS_HEARTBEAT_INTERVAL_MS", "1500");
        Process process = builder.start();
        processes.add(process);
        return process;
    }

    private Process startImporter(int port, Path log, Path output, Path errors) throws IOException {
        Path jar = ROOT.resolve("importer/target/importer.jar");
        assertThat(jar)
                .as("the importer's jar; build it with mvn -o -q -pl importer package -DskipTests")
                .isRegularFile();
        ProcessBuilder builder = new ProcessBuilder(
                        java(),
                        "-Xmx256m",
                        "-jar",
                        jar.toString(),
                        "--type",
                        "ImportedCase",
                        "--url",
                        "http://127.0.0.1:" + port,
                        "--batch-size",
                        "20",
                        "--in-flight",
                        "1",
                        "--progress",
                        "json",
                        log.toString())
                .redirectOutput(output.toFile())
                .redirectError(errors.toFile());
        builder.environment().remove("POLYGLOT_TOKEN");
        Process process = builder.start();
        processes.add(process);
        return process;
    }

    private static void awaitReady(int port) {
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest ready = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health/ready"))
                .timeout(Duration.ofSeconds(5))
                .build();
        await().atMost(Duration.ofMinutes(2))
                .ignoreExceptions()
                .until(() ->
                        http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200);
    }

    private static Path writeLog(Path file) throws IOException {
        StringBuilder xes = new StringBuilder("<log>\n");
        for (int c = 1; c <= CASES; c++) {
            xes.append("<trace><string key=\"concept:name\" value=\"case-")
                    .append(c)
                    .append("\"/>\n");
            for (int e = 1; e <= EVENTS_PER_CASE; e++) {
                xes.append("<event><string key=\"concept:name\" value=\"step ")
                        .append(e)
                        .append("\"/><date key=\"time:timestamp\" value=\"2012-01-01T00:")
                        .append(String.format("%02d", e))
                        .append(":00Z\"/></event>\n");
            }
            xes.append("</trace>\n");
        }
        return Files.writeString(file, xes.append("</log>\n"), StandardCharsets.UTF_8);
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
