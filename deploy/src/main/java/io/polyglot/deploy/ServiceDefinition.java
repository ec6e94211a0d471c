package io.polyglot.deploy;

import io.polyglot.stack.DetachedProcess;
import io.polyglot.stack.ServerStartException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One process of the pipeline as the local stack runs it: {@code java -jar <module>/target/<module>.jar} with its
 * settings in the environment, its output in {@code logs/<name>.log} and its pid in {@code run/<name>.pid}. The name
 * is the module's, except for the command-service instances after the first: {@code command-service-2},
 * {@code command-service-3} ... Every service gets the stack's {@code POLYGLOT_TOKEN}, so none of them answers a
 * caller without it.
 */
record ServiceDefinition(
        String name, String module, int port, Map<String, String> environment, Path home, Path repoRoot) {
    /** Enough for one service next to the servers on a 2-core, 24 GiB machine. */
    private static final String HEAP = "-Xmx512m";

    /** The module of the command service, and the name of its first instance. */
    static final String COMMAND_SERVICE = "command-service";

    /** Every command-service instance shares it, so they split the partitions of {@code commands} between them. */
    static final String DECIDER_APPLICATION_ID = "polyglot-decider";

    /**
     * How long a consumer group waits for a member that stopped heartbeating before it gives that member's partitions
     * to the others, in milliseconds. Kafka's default of 45 s is made for members on many machines behind a network;
     * every member of the local stack is on this machine, so a killed service's partitions move to its restarted
     * instance within 15 s. It stays five heartbeats (3 s each) long, so a busy machine that delays one or two of them
     * does not cost a member its partitions.
     */
    static final String SESSION_TIMEOUT_MS = "15000";

    /** The module and process name of the dashboard. */
    static final String DASHBOARD = "dashboard";

    static List<ServiceDefinition> all(StackState state, Path home, Path repoRoot) {
        List<ServiceDefinition> services = new ArrayList<>(commandServices(state, home, repoRoot));
        services.addAll(workers(state, home, repoRoot));
        services.add(dashboard(state, home, repoRoot));
        return List.copyOf(services);
    }

    /**
     * The command-service instances of {@code state}: instance i listens on its own kept port and keeps its decider
     * stores in its own folder of the home ({@code decider-state} for the first, as before instances could be scaled;
     * {@code decider-state-i} for the others).
     */
    static List<ServiceDefinition> commandServices(StackState state, Path home, Path repoRoot) {
        List<Integer> ports = state.commandPorts();
        List<ServiceDefinition> instances = new ArrayList<>();
        for (int i = 1; i <= ports.size(); i++) {
            String suffix = i == 1 ? "" : "-" + i;
            Map<String, String> command = new LinkedHashMap<>();
            command.put("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:" + state.kafkaPort());
            command.put("HTTP_HOST", "127.0.0.1");
            command.put("POLYGLOT_TOKEN", String.valueOf(state.token()));
            command.put("HTTP_PORT", String.valueOf(ports.get(i - 1)));
            command.put("DECIDER_APPLICATION_ID", DECIDER_APPLICATION_ID);
            command.put(
                    "DECIDER_STATE_DIR", home.resolve("decider-state" + suffix).toString());
            command.put("KAFKA_STREAMS_SESSION_TIMEOUT_MS", SESSION_TIMEOUT_MS);
            instances.add(new ServiceDefinition(
                    COMMAND_SERVICE + suffix, COMMAND_SERVICE, ports.get(i - 1), command, home, repoRoot));
        }
        return List.copyOf(instances);
    }

    private static List<ServiceDefinition> workers(StackState state, Path home, Path repoRoot) {
        String kafka = "127.0.0.1:" + state.kafkaPort();

        Map<String, String> archiver = new LinkedHashMap<>();
        archiver.put("KAFKA_BOOTSTRAP_SERVERS", kafka);
        archiver.putAll(archiveStore(state));
        archiver.put("WARM_DIR", home.resolve("archiver-warm").toString());
        archiver.put("HTTP_HOST", "127.0.0.1");
        archiver.put("HEALTH_PORT", String.valueOf(state.archiverHealthPort()));
        archiver.put("POLYGLOT_TOKEN", String.valueOf(state.token()));
        archiver.put("KAFKA_CONSUMER_SESSION_TIMEOUT_MS", SESSION_TIMEOUT_MS);

        Map<String, String> projection = new LinkedHashMap<>();
        projection.put("KAFKA_BOOTSTRAP_SERVERS", kafka);
        projection.put("DATABASE_URL", String.valueOf(state.databaseUrl()));
        projection.put("HTTP_HOST", "127.0.0.1");
        projection.put("HEALTH_PORT", String.valueOf(state.projectionHealthPort()));
        projection.put("POLYGLOT_TOKEN", String.valueOf(state.token()));
        projection.put("KAFKA_CONSUMER_SESSION_TIMEOUT_MS", SESSION_TIMEOUT_MS);

        return List.of(
                new ServiceDefinition(
                        "archiver-worker", "archiver-worker", state.archiverHealthPort(), archiver, home, repoRoot),
                new ServiceDefinition(
                        "projection-worker",
                        "projection-worker",
                        state.projectionHealthPort(),
                        projection,
                        home,
                        repoRoot));
    }

    /**
     * The dashboard: it reads the views from PostgreSQL, offsets from Kafka and the archive from S3 itself, and asks
     * the other processes over HTTP, never through their code.
     */
    private static ServiceDefinition dashboard(StackState state, Path home, Path repoRoot) {
        Map<String, String> dashboard = new LinkedHashMap<>();
        dashboard.put("HTTP_HOST", "127.0.0.1");
        dashboard.put("HTTP_PORT", String.valueOf(state.dashboardPort()));
        dashboard.put("POLYGLOT_TOKEN", String.valueOf(state.token()));
        dashboard.put("DATABASE_URL", String.valueOf(state.databaseUrl()));
        dashboard.put("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:" + state.kafkaPort());
        dashboard.putAll(archiveStore(state));
        dashboard.put("COMMAND_URL", "http://127.0.0.1:" + state.commandPort());
        dashboard.put("ARCHIVER_HEALTH_URL", "http://127.0.0.1:" + state.archiverHealthPort());
        dashboard.put("PROJECTION_HEALTH_URL", "http://127.0.0.1:" + state.projectionHealthPort());
        dashboard.putAll(seeding(repoRoot));
        return new ServiceDefinition(DASHBOARD, DASHBOARD, state.dashboardPort(), dashboard, home, repoRoot);
    }

    /**
     * What the dashboard's Seed page runs and offers: the importer's jar of this checkout, and the datasets folder
     * beside it ({@code ../shared/datasets}) when there is one.
     */
    static Map<String, String> seeding(Path repoRoot) {
        Map<String, String> seeding = new LinkedHashMap<>();
        Path root = repoRoot.toAbsolutePath().normalize();
        seeding.put("IMPORTER_JAR", root.resolve("importer/target/importer.jar").toString());
        Path datasets = root.resolveSibling("shared").resolve("datasets");
        if (Files.isDirectory(datasets)) {
            seeding.put("SEED_DIRECTORY", datasets.toString());
        }
        return seeding;
    }

    /** Where the archive is, with static credentials and the cloud metadata probe off, for whoever reads it. */
    private static Map<String, String> archiveStore(StackState state) {
        Map<String, String> archive = new LinkedHashMap<>();
        archive.put("S3_ENDPOINT", "http://127.0.0.1:" + state.s3Port());
        archive.put("S3_BUCKET", PolyglotStack.BUCKET);
        archive.put("S3_REGION", io.polyglot.stack.S3Server.REGION);
        archive.put("AWS_ACCESS_KEY_ID", String.valueOf(state.s3AccessKey()));
        archive.put("AWS_SECRET_ACCESS_KEY", String.valueOf(state.s3SecretKey()));
        archive.put("AWS_EC2_METADATA_DISABLED", "true");
        return archive;
    }

    Path jar() {
        return repoRoot.resolve(module).resolve("target").resolve(module + ".jar");
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
        return start(List.of());
    }

    /**
     * Starts the service with {@code javaOptions} after the stack's own; a heap limit among them replaces the default
     * {@code -Xmx512m}.
     */
    DetachedProcess start(List<String> javaOptions) {
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
        List<String> command = new ArrayList<>(List.of(java));
        if (!JavaOptions.limitsHeap(javaOptions)) {
            command.add(HEAP);
        }
        command.add("-XX:+ExitOnOutOfMemoryError");
        command.addAll(javaOptions);
        command.addAll(List.of("-jar", jar().toString()));
        return DetachedProcess.start(command, environment, home, logFile(), pidFile());
    }
}
