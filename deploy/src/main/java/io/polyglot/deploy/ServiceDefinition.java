package io.polyglot.deploy;

import io.polyglot.stack.DetachedProcess;
import io.polyglot.stack.ServerStartException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One service of the pipeline as the local stack runs it: {@code java -jar <module>/target/<module>.jar} with its
 * settings in the environment, its output in {@code logs/<module>.log} and its pid in {@code run/<module>.pid}.
 */
record ServiceDefinition(String name, int port, Map<String, String> environment, Path home, Path repoRoot) {
    /** Enough for one service next to the servers on a 2-core, 24 GiB machine. */
    private static final String HEAP = "-Xmx512m";

    static List<ServiceDefinition> all(StackState state, Path home, Path repoRoot) {
        String kafka = "127.0.0.1:" + state.kafkaPort();
        Map<String, String> command = new LinkedHashMap<>();
        command.put("KAFKA_BOOTSTRAP_SERVERS", kafka);
        command.put("HTTP_HOST", "127.0.0.1");
        command.put("HTTP_PORT", String.valueOf(state.commandPort()));
        command.put("DECIDER_STATE_DIR", home.resolve("decider-state").toString());

        Map<String, String> archiver = new LinkedHashMap<>();
        archiver.put("KAFKA_BOOTSTRAP_SERVERS", kafka);
        archiver.put("S3_ENDPOINT", "http://127.0.0.1:" + state.s3Port());
        archiver.put("S3_BUCKET", PolyglotStack.BUCKET);
        archiver.put("S3_REGION", io.polyglot.stack.S3Server.REGION);
        archiver.put("AWS_ACCESS_KEY_ID", String.valueOf(state.s3AccessKey()));
        archiver.put("AWS_SECRET_ACCESS_KEY", String.valueOf(state.s3SecretKey()));
        archiver.put("AWS_EC2_METADATA_DISABLED", "true");
        archiver.put("WARM_DIR", home.resolve("archiver-warm").toString());
        archiver.put("HTTP_HOST", "127.0.0.1");
        archiver.put("HEALTH_PORT", String.valueOf(state.archiverHealthPort()));

        Map<String, String> projection = new LinkedHashMap<>();
        projection.put("KAFKA_BOOTSTRAP_SERVERS", kafka);
        projection.put("DATABASE_URL", String.valueOf(state.databaseUrl()));
        projection.put("HTTP_HOST", "127.0.0.1");
        projection.put("HEALTH_PORT", String.valueOf(state.projectionHealthPort()));

        return List.of(
                new ServiceDefinition("command-service", state.commandPort(), command, home, repoRoot),
                new ServiceDefinition("archiver-worker", state.archiverHealthPort(), archiver, home, repoRoot),
                new ServiceDefinition("projection-worker", state.projectionHealthPort(), projection, home, repoRoot));
    }

    Path jar() {
        return repoRoot.resolve(name).resolve("target").resolve(name + ".jar");
    }

    Path logFile() {
        return home.resolve("logs").resolve(name + ".log");
    }

    Path pidFile() {
        return home.resolve("run").resolve(name + ".pid");
    }

    Optional<DetachedProcess> attach() {
        return DetachedProcess.attach(pidFile(), jar().getFileName().toString(), logFile());
    }

    DetachedProcess start() {
        if (!Files.isRegularFile(jar())) {
            throw new ServerStartException(jar() + " is missing; build the project with `mvn -q -DskipTests package`"
                    + " (./polyglot up does when sources changed)");
        }
        try {
            Files.createDirectories(pidFile().getParent());
            Files.createDirectories(logFile().getParent());
        } catch (IOException e) {
            throw new UncheckedIOException("could not prepare " + home, e);
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return DetachedProcess.start(
                List.of(java, HEAP, "-XX:+ExitOnOutOfMemoryError", "-jar", jar().toString()),
                environment,
                home,
                logFile(),
                pidFile());
    }
}
