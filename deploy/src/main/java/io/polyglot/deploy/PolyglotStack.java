package io.polyglot.deploy;

import io.polyglot.archive.store.ArchiveStore;
import io.polyglot.archive.store.ArchiveStoreConfig;
import io.polyglot.runtime.TopicSetup;
import io.polyglot.schemas.Limits;
import io.polyglot.stack.DetachedProcess;
import io.polyglot.stack.KafkaBroker;
import io.polyglot.stack.Lifetime;
import io.polyglot.stack.PostgresServer;
import io.polyglot.stack.S3Server;
import io.polyglot.stack.ServerStartException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole pipeline on one machine: Kafka, PostgreSQL and S3Proxy on 127.0.0.1, the topics and the archive bucket, and
 * the services (the three of the pipeline and the dashboard) as detached processes, all with their data and logs in one
 * home folder. {@link #up()} starts only what does not run, so it also restarts a process that died; {@link
 * #down(boolean)} stops everything by pid. This is what {@code ./polyglot} drives, and what the end-to-end test drives
 * with a temporary home.
 */
public final class PolyglotStack {
    /** The servers of the stack, and the service {@code import} sends to, which the CLI's commands reach directly. */
    public enum Server {
        KAFKA("Kafka"),
        POSTGRES("PostgreSQL"),
        S3("S3Proxy"),
        /** The first command-service instance, which {@code import} sends to. */
        COMMAND_SERVICE("the command service");

        private final String label;

        Server(String label) {
            this.label = label;
        }

        int port(StackState state) {
            return switch (this) {
                case KAFKA -> state.kafkaPort();
                case POSTGRES -> state.postgresPort();
                case S3 -> state.s3Port();
                case COMMAND_SERVICE -> state.commandPort();
            };
        }
    }

    /** The bucket of the archive. */
    public static final String BUCKET = "polyglot-archive";

    private static final Logger log = LoggerFactory.getLogger(PolyglotStack.class);
    private static final String HOST = "127.0.0.1";
    private static final int PARTITIONS = 6;
    private static final short REPLICATION_FACTOR = 1;
    private static final Duration SERVICE_STOP_GRACE = Duration.ofSeconds(30);
    private static final String PROJECTION_WORKER = "projection-worker";

    /** How long up or down waits for another command that starts or stops the stack's processes. */
    public static final Duration LOCK_WAIT = Duration.ofMinutes(10);

    private final Path home;
    private final Path repoRoot;
    private final ServiceHealth health;
    private final JavaOptions javaOptions;
    private final Duration lockWait;
    private Consumer<String> progress = line -> log.info("{}", line);

    private PolyglotStack(Path home, Path repoRoot, ServiceHealth health, JavaOptions javaOptions, Duration lockWait) {
        this.home = home;
        this.repoRoot = repoRoot;
        this.health = health;
        this.javaOptions = javaOptions;
        this.lockWait = lockWait;
    }

    /** The stack whose data and logs live in {@code home}, running the jars built in {@code repoRoot}. */
    public static PolyglotStack at(Path home, Path repoRoot) {
        return new PolyglotStack(
                home.toAbsolutePath().normalize(),
                repoRoot.toAbsolutePath().normalize(),
                new ServiceHealth(),
                JavaOptions.none(),
                LOCK_WAIT);
    }

    /**
     * The same stack, starting the services it starts from now on with {@code options} (see {@link JavaOptions});
     * services that already run keep theirs until they are stopped.
     */
    public PolyglotStack withJavaOptions(JavaOptions options) {
        return new PolyglotStack(home, repoRoot, health, options, lockWait).reportingTo(progress);
    }

    /**
     * The same stack, whose up and down wait at most {@code wait} for another command that starts or stops its
     * processes (see {@link StackLock}).
     */
    public PolyglotStack withLockWait(Duration wait) {
        return new PolyglotStack(home, repoRoot, health, javaOptions, wait).reportingTo(progress);
    }

    /** Sends progress lines ("Kafka started on ...") to {@code progress} instead of the log. */
    public PolyglotStack reportingTo(Consumer<String> progress) {
        this.progress = progress;
        return this;
    }

    public Path home() {
        return home;
    }

    /** Starts whatever is not running, waits until every service is ready, and returns the status of everything. */
    public List<ComponentStatus> up() {
        return up(OptionalInt.empty());
    }

    /**
     * {@link #up()} with {@code commandInstances} command-service instances, which the stack keeps for later starts
     * without a count; empty keeps the stored count (one on the first start). Instances beyond a smaller count are
     * stopped.
     */
    public List<ComponentStatus> up(OptionalInt commandInstances) {
        try (StackLock lock = StackLock.take(home, "up", lockWait, progress)) {
            return upHoldingTheLock(commandInstances);
        }
    }

    private List<ComponentStatus> upHoldingTheLock(OptionalInt commandInstances) {
        StackState state = scaled(StackState.load(home).orElseGet(StackState::withFreePorts), commandInstances)
                .withToken()
                .withDashboardPort();
        state.save(home);
        KafkaBroker kafka = KafkaBroker.attach(kafkaDir())
                .map(running -> reportRunning("Kafka", running.bootstrapServers(), running.pid(), running))
                .orElseGet(() -> started("Kafka", KafkaBroker.start(kafkaDir(), state.kafkaPort(), Lifetime.DETACHED)));
        PostgresServer postgres = PostgresServer.attach(postgresDir())
                .map(running -> reportRunning("PostgreSQL", HOST + ":" + running.port(), running.pid(), running))
                .orElseGet(() -> started(
                        "PostgreSQL",
                        PostgresServer.start(
                                postgresDir(),
                                state.postgresPort(),
                                PostgresServer.Durability.FSYNC,
                                Lifetime.DETACHED)));
        S3Server s3 = S3Server.attach(s3Dir())
                .map(running -> reportRunning("S3Proxy", running.endpoint(), running.pid(), running))
                .orElseGet(() -> started("S3Proxy", S3Server.start(s3Dir(), state.s3Port(), Lifetime.DETACHED)));
        StackState known = state.withCredentials(
                postgres.databaseUrl(), postgres.password(), postgres.ensureReader(), s3.accessKey(), s3.secretKey());
        known.save(home);

        ensureTopics(kafka);
        ensureBucket(s3);
        List<ServiceDefinition> services = ServiceDefinition.all(known, home, repoRoot);
        for (ServiceDefinition service : services) {
            ensureRunning(service);
        }
        for (ServiceDefinition service : services) {
            awaitReady(service);
        }
        progress.accept("Everything is up; `./polyglot env` prints what clients need, logs are in " + home);
        return status();
    }

    /** Each process with its pid, port and health. */
    public List<ComponentStatus> status() {
        Optional<StackState> state = StackState.load(home);
        if (state.isEmpty()) {
            return List.of();
        }
        List<ComponentStatus> components = new ArrayList<>();
        components.add(serverStatus(
                "kafka", state.get().kafkaPort(), KafkaBroker.attach(kafkaDir()).map(KafkaBroker::pid)));
        components.add(serverStatus(
                "postgres",
                state.get().postgresPort(),
                PostgresServer.attach(postgresDir()).map(PostgresServer::pid)));
        components.add(serverStatus(
                "s3", state.get().s3Port(), S3Server.attach(s3Dir()).map(S3Server::pid)));
        for (ServiceDefinition service : ServiceDefinition.all(state.get(), home, repoRoot)) {
            Optional<DetachedProcess> process = service.attach();
            ComponentStatus.Health serviceHealth = process.isEmpty()
                    ? ComponentStatus.Health.DOWN
                    : health.ready(service.port()) ? ComponentStatus.Health.UP : ComponentStatus.Health.UNHEALTHY;
            ProjectionProgress progress =
                    process.isPresent() && service.module().equals(PROJECTION_WORKER)
                            ? health.metrics(service.port(), state.get().token())
                                    .flatMap(ProjectionProgress::fromMetrics)
                                    .orElse(null)
                            : null;
            components.add(new ComponentStatus(
                    service.name(),
                    process.map(DetachedProcess::pid).orElse(null),
                    service.port(),
                    serviceHealth,
                    progress));
        }
        return components;
    }

    /**
     * {@link #env()} once every server in {@code needed} answers on its port, for the commands that use the servers
     * themselves: without the check, a stopped stack shows as a client library's error about a refused connection.
     *
     * @throws StackNotRunningException naming the first server of {@code needed} that does not answer
     * @throws ServerStartException when the stack was never started
     */
    public Map<String, String> envOfRunning(Server... needed) {
        StackState state = started();
        for (Server server : needed) {
            int port = server.port(state);
            if (!answers(port)) {
                throw new StackNotRunningException("the stack in " + home + " is not running: " + server.label + " at "
                        + HOST + ":" + port + " cannot be reached; start it with ./polyglot up");
            }
        }
        return env(state);
    }

    /** What a client needs to reach the stack, in a stable order. */
    public Map<String, String> env() {
        return env(started());
    }

    /** The state of a stack whose servers started once, so that their credentials are known. */
    private StackState started() {
        return StackState.load(home)
                .filter(known -> known.databaseUrl() != null)
                .orElseThrow(() -> new ServerStartException(
                        "the stack in " + home + " was never started; run" + " ./polyglot up first"));
    }

    private static Map<String, String> env(StackState state) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("COMMAND_URL", "http://" + HOST + ":" + state.commandPort());
        env.put(
                "COMMAND_URLS",
                state.commandPorts().stream()
                        .map(port -> "http://" + HOST + ":" + port)
                        .collect(Collectors.joining(",")));
        env.put("DASHBOARD_URL", "http://" + HOST + ":" + state.dashboardPort());
        env.put("ARCHIVER_URL", "http://" + HOST + ":" + state.archiverHealthPort());
        env.put("PROJECTION_URL", "http://" + HOST + ":" + state.projectionHealthPort());
        env.put("KAFKA_BOOTSTRAP_SERVERS", HOST + ":" + state.kafkaPort());
        env.put("DATABASE_URL", state.databaseUrl());
        env.put("PGHOST", HOST);
        env.put("PGPORT", String.valueOf(state.postgresPort()));
        env.put("PGUSER", PostgresServer.USER);
        env.put("PGPASSWORD", state.postgresPassword());
        env.put("PGDATABASE", PostgresServer.DATABASE);
        if (state.readerDatabaseUrl() != null) {
            env.put("READER_DATABASE_URL", state.readerDatabaseUrl());
        }
        env.put("S3_ENDPOINT", "http://" + HOST + ":" + state.s3Port());
        env.put("S3_BUCKET", BUCKET);
        env.put("S3_REGION", S3Server.REGION);
        env.put("AWS_ACCESS_KEY_ID", state.s3AccessKey());
        env.put("AWS_SECRET_ACCESS_KEY", state.s3SecretKey());
        env.put("POLYGLOT_TOKEN", state.token());
        return env;
    }

    /** Stops the services, then the servers, by pid; {@code wipe} then removes the home folder with all data. */
    public void down(boolean wipe) {
        if (!Files.isDirectory(home)) {
            return;
        }
        try (StackLock lock = StackLock.take(home, wipe ? "down --wipe" : "down", lockWait, progress)) {
            downHoldingTheLock(wipe);
        }
    }

    private void downHoldingTheLock(boolean wipe) {
        Optional<StackState> state = StackState.load(home);
        if (state.isPresent()) {
            for (ServiceDefinition service : ServiceDefinition.all(state.get(), home, repoRoot)) {
                service.attach().ifPresent(process -> {
                    process.stop(SERVICE_STOP_GRACE);
                    progress.accept(service.name() + " stopped (pid " + process.pid() + ")");
                });
            }
        }
        KafkaBroker.attach(kafkaDir()).ifPresent(kafka -> stopped("Kafka", kafka.pid(), kafka));
        PostgresServer.attach(postgresDir()).ifPresent(postgres -> stopped("PostgreSQL", postgres.pid(), postgres));
        S3Server.attach(s3Dir()).ifPresent(s3 -> stopped("S3Proxy", s3.pid(), s3));
        if (wipe) {
            wipeHome();
        }
    }

    private StackState scaled(StackState state, OptionalInt commandInstances) {
        if (commandInstances.isEmpty() || commandInstances.getAsInt() == state.commandInstances()) {
            return state;
        }
        StackState scaled = state.withCommandInstances(commandInstances.getAsInt());
        stopSurplusCommandServices(state, scaled);
        return scaled;
    }

    private void stopSurplusCommandServices(StackState before, StackState after) {
        List<ServiceDefinition> kept = ServiceDefinition.commandServices(after, home, repoRoot);
        for (ServiceDefinition instance : ServiceDefinition.commandServices(before, home, repoRoot)) {
            if (kept.stream().noneMatch(keep -> keep.name().equals(instance.name()))) {
                instance.attach().ifPresent(process -> {
                    process.stop(SERVICE_STOP_GRACE);
                    progress.accept(instance.name() + " stopped (pid " + process.pid() + "), scaled down");
                });
            }
        }
    }

    private void ensureTopics(KafkaBroker kafka) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            TopicSetup.ensure(admin, PARTITIONS, REPLICATION_FACTOR, Limits.DEFAULT_COMMAND_MAX_BYTES);
        }
        progress.accept("Topics are in place (" + PARTITIONS + " partitions each)");
    }

    private void ensureBucket(S3Server s3) {
        ArchiveStoreConfig config = new ArchiveStoreConfig(
                URI.create(s3.endpoint()), BUCKET, s3.region(), s3.accessKey(), s3.secretKey(), false);
        try (ArchiveStore store = new ArchiveStore(config)) {
            store.ensureBucket();
        }
        progress.accept("Bucket " + BUCKET + " is in place");
    }

    private void ensureRunning(ServiceDefinition service) {
        Optional<DetachedProcess> running = service.attach();
        if (running.isPresent()) {
            progress.accept(
                    service.name() + " already runs (pid " + running.get().pid() + ")");
            return;
        }
        DetachedProcess process = service.start(javaOptions.of(service.module()));
        progress.accept(service.name() + " starting on port " + service.port() + " (pid " + process.pid() + ", log "
                + process.logFile() + ")");
    }

    private void awaitReady(ServiceDefinition service) {
        DetachedProcess process = service.attach()
                .orElseThrow(() ->
                        new ServerStartException(service.name() + " exited during start-up; see " + service.logFile()));
        health.awaitReady(service.name(), service.port(), process);
        progress.accept(service.name() + " is ready at http://" + HOST + ":" + service.port() + "/health/ready");
    }

    private ComponentStatus serverStatus(String name, int port, Optional<Long> pid) {
        ComponentStatus.Health serverHealth = pid.isEmpty()
                ? ComponentStatus.Health.DOWN
                : answers(port) ? ComponentStatus.Health.UP : ComponentStatus.Health.UNHEALTHY;
        return new ComponentStatus(name, pid.orElse(null), port, serverHealth);
    }

    private static boolean answers(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(HOST, port), 1_000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private <T> T reportRunning(String what, String where, long pid, T server) {
        progress.accept(what + " already runs at " + where + " (pid " + pid + ")");
        return server;
    }

    private <T> T started(String what, T server) {
        progress.accept(what + " started");
        return server;
    }

    private void stopped(String what, long pid, AutoCloseable server) {
        try {
            server.close();
        } catch (Exception e) {
            throw new ServerStartException("could not stop " + what + " (pid " + pid + ")", e);
        }
        progress.accept(what + " stopped (pid " + pid + ")");
    }

    private void wipeHome() {
        if (!Files.exists(home, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (!Files.isRegularFile(home.resolve(StackState.FILE)) && !holdsNothingButTheLock(home)) {
            throw new ServerStartException(home + " holds no " + StackState.FILE + "; not removing a folder that"
                    + " the stack did not create");
        }
        try {
            // A cluster parked outside the home (PostgreSQL could not reach it) goes too.
            Path parked = postgresDir().resolve("postgres");
            if (Files.isSymbolicLink(parked)) {
                deleteTree(Files.readSymbolicLink(parked));
            }
            deleteTree(home);
        } catch (IOException e) {
            throw new UncheckedIOException("could not remove " + home, e);
        }
        progress.accept("Removed " + home);
    }

    private static boolean holdsNothingButTheLock(Path dir) {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.allMatch(entry -> entry.getFileName().toString().equals(StackLock.FILE));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> tree = Files.walk(root)) {
            for (Path path : tree.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }

    private Path kafkaDir() {
        return home.resolve("kafka");
    }

    private Path postgresDir() {
        return home.resolve("postgres");
    }

    private Path s3Dir() {
        return home.resolve("s3");
    }
}
