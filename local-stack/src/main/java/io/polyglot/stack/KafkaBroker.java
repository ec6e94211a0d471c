package io.polyglot.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.Uuid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Apache Kafka broker (KRaft, one node acting as broker and controller) run as its own JVM from the jars in
 * {@code servers/kafka-broker/target/lib}, listening on 127.0.0.1 only. The data folder keeps the log segments, the
 * cluster id, the configuration and the logs, so a restart on the same folder keeps every topic and record.
 *
 * <p>A broker started with {@link #startAdvertising} tells its clients to connect to another port on 127.0.0.1 (a
 * test's TCP proxy in front of it), so that every client connection, bootstrap and after, goes through that port. The
 * broker's own connections to itself (transaction markers) then use a second, internal listener that is not
 * advertised to clients, so cutting the proxy's connections cuts clients only.
 */
public final class KafkaBroker implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(KafkaBroker.class);
    private static final String HOST = "127.0.0.1";
    private static final String MAIN_CLASS = "kafka.Kafka";
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration STOP_GRACE = Duration.ofSeconds(60);

    private final DetachedProcess process;
    private final int port;
    private final int advertisedPort;

    private KafkaBroker(DetachedProcess process, int port, int advertisedPort) {
        this.process = process;
        this.port = port;
        this.advertisedPort = advertisedPort;
    }

    /**
     * Starts the broker on {@code port} (0 picks a free one), formatting the storage in {@code dataDir} if new; it is
     * stopped when this JVM exits unless closed before.
     */
    public static KafkaBroker start(Path dataDir, int port) {
        return start(dataDir, port, Lifetime.THIS_JVM);
    }

    /** Starts the broker on {@code port} (0 picks a free one), formatting the storage in {@code dataDir} if new. */
    public static KafkaBroker start(Path dataDir, int port, Lifetime lifetime) {
        return start(dataDir, port, 0, lifetime);
    }

    /**
     * Starts the broker listening on {@code port} (0 picks a free one) but advertising {@code 127.0.0.1:advertisedPort}
     * to its clients, formatting the storage in {@code dataDir} if new; it is stopped when this JVM exits unless closed
     * before. Something must already forward {@code advertisedPort} to {@code port}, or the broker is never seen ready.
     */
    public static KafkaBroker startAdvertising(Path dataDir, int port, int advertisedPort) {
        if (advertisedPort <= 0 || advertisedPort > 65_535) {
            throw new IllegalArgumentException("advertised port " + advertisedPort + " is not a port");
        }
        return start(dataDir, port, advertisedPort, Lifetime.THIS_JVM);
    }

    private static KafkaBroker start(Path dataDir, int port, int advertisedPort, Lifetime lifetime) {
        Path data = prepare(dataDir);
        Path lib = ServerLibraries.of("kafka-broker");
        if (attach(data).isPresent()) {
            throw new ServerStartException("a Kafka broker already runs on " + data + "; use KafkaBroker.attach");
        }
        StoredValues stored = StoredValues.at(data.resolve("kafka-cluster.properties"));
        String clusterId =
                stored.getOrCreate("cluster.id", () -> Uuid.randomUuid().toString());
        int controllerPort =
                Integer.parseInt(stored.getOrCreate("controller.port", () -> String.valueOf(FreePorts.pick())));
        int brokerPort = FreePorts.orFree(port);
        Listeners listeners = advertisedPort == 0
                ? Listeners.plain(brokerPort, controllerPort)
                : Listeners.advertising(
                        brokerPort,
                        advertisedPort,
                        Integer.parseInt(stored.getOrCreate("internal.port", () -> String.valueOf(FreePorts.pick()))),
                        controllerPort);
        Path config = writeServerProperties(data, listeners);
        Path logConfig = writeLogConfig(data);
        if (!Files.isRegularFile(data.resolve("kraft-logs").resolve("meta.properties"))) {
            format(lib, data, config, logConfig, clusterId);
        }
        DetachedProcess process = DetachedProcess.start(
                List.of(
                        ServerLibraries.java(),
                        "-Xmx384m",
                        "-Xms64m",
                        "-Djava.awt.headless=true",
                        "-Dlog4j2.configurationFile=" + logConfig,
                        "-cp",
                        lib + "/*",
                        MAIN_CLASS,
                        config.toString()),
                data,
                data.resolve("kafka-process.log"),
                data.resolve("kafka.pid"));
        KafkaBroker broker = new KafkaBroker(process, brokerPort, listeners.advertisedPort());
        try {
            broker.awaitReady();
        } catch (RuntimeException e) {
            process.kill();
            throw e;
        }
        lifetime.bind("kafka-broker", broker);
        log.info(
                "Kafka broker started on {}:{} advertising port {} (pid {}, data {})",
                HOST,
                brokerPort,
                listeners.advertisedPort(),
                process.pid(),
                data);
        return broker;
    }

    /**
     * The broker already running on {@code dataDir}, if any, e.g. one that an earlier {@code ./polyglot up} started.
     */
    public static Optional<KafkaBroker> attach(Path dataDir) {
        Path data = dataDir.toAbsolutePath().normalize();
        StoredValues stored = StoredValues.at(data.resolve("kafka-cluster.properties"));
        Optional<Integer> port = stored.get("broker.port").map(Integer::parseInt);
        if (port.isEmpty()) {
            return Optional.empty();
        }
        int advertised = stored.get("advertised.port").map(Integer::parseInt).orElse(port.get());
        return DetachedProcess.attach(data.resolve("kafka.pid"), MAIN_CLASS, data.resolve("kafka-process.log"))
                .map(process -> new KafkaBroker(process, port.get(), advertised));
    }

    /** {@code 127.0.0.1:PORT} of the advertised client listener, for {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return HOST + ":" + advertisedPort;
    }

    /** The port the client listener is bound to; a restart on the same folder can ask for it again. */
    public int port() {
        return port;
    }

    /** The port clients are told to connect to: {@link #port()} unless started with {@link #startAdvertising}. */
    public int advertisedPort() {
        return advertisedPort;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isRunning() {
        return process.isAlive();
    }

    /** The broker's own log (the JVM's output is in {@code kafka-process.log} beside it). */
    public Path logFile() {
        return process.logFile().resolveSibling("kafka.log");
    }

    @Override
    public String toString() {
        return "KafkaBroker[" + bootstrapServers() + ", pid " + pid() + "]";
    }

    /** Stops the broker gracefully (SIGTERM, a controlled shutdown), killing it if it takes too long. */
    @Override
    public void close() {
        process.stop(STOP_GRACE);
        log.info("Kafka broker stopped (pid {})", process.pid());
    }

    /** Kills the broker at once (SIGKILL), as a crash would; its data folder stays as the crash left it. */
    public void kill() {
        process.kill();
        log.info("Kafka broker killed (pid {})", process.pid());
    }

    private void awaitReady() {
        Instant deadline = Instant.now().plus(READY_TIMEOUT);
        try (Admin admin = Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000,
                AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 500))) {
            while (true) {
                if (!process.isAlive()) {
                    throw new ServerStartException("the Kafka broker exited during start-up; see " + process.logFile()
                            + " and " + logFile() + "\n" + process.logTail());
                }
                try {
                    admin.describeCluster(new DescribeClusterOptions().timeoutMs(5_000))
                            .nodes()
                            .get(10, TimeUnit.SECONDS);
                    return;
                } catch (ExecutionException | TimeoutException e) {
                    if (Instant.now().isAfter(deadline)) {
                        throw new ServerStartException(
                                "the Kafka broker did not answer within " + READY_TIMEOUT.toSeconds() + "s; see "
                                        + logFile(),
                                e);
                    }
                    log.debug("Kafka broker on port {} not ready yet", port, e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new ServerStartException("interrupted while waiting for the Kafka broker", e);
                }
            }
        }
    }

    private static Path prepare(Path dataDir) {
        Path data = dataDir.toAbsolutePath().normalize();
        try {
            Files.createDirectories(data.resolve("kraft-logs"));
        } catch (IOException e) {
            throw new UncheckedIOException("could not create " + data, e);
        }
        return data;
    }

    private static void format(Path lib, Path data, Path config, Path logConfig, String clusterId) {
        ExternalCommand.run(
                        List.of(
                                ServerLibraries.java(),
                                "-Xmx256m",
                                "-Dlog4j2.configurationFile=" + logConfig,
                                "-cp",
                                lib + "/*",
                                "kafka.tools.StorageTool",
                                "format",
                                "--config",
                                config.toString(),
                                "--cluster-id",
                                clusterId),
                        Duration.ofMinutes(2))
                .orThrow("formatting the Kafka storage in " + data);
        log.info("Formatted Kafka storage in {} (cluster id {})", data, clusterId);
    }

    private static Path writeServerProperties(Path data, Listeners listeners) {
        StoredValues stored = StoredValues.at(data.resolve("kafka-cluster.properties"));
        stored.put("broker.port", String.valueOf(listeners.brokerPort()));
        stored.put("advertised.port", String.valueOf(listeners.advertisedPort()));
        String properties = String.join(
                "\n",
                "# Written by the local stack at every start; edits are lost.",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.voters=1@" + HOST + ":" + listeners.controllerPort(),
                "listeners=" + listeners.bound(),
                "advertised.listeners=" + listeners.advertised(),
                "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=" + listeners.interBroker(),
                "listener.security.protocol.map=" + listeners.protocolMap(),
                "log.dirs=" + data.resolve("kraft-logs"),
                // One broker: internal topics must not ask for more replicas, or groups and transactions hang.
                "offsets.topic.replication.factor=1",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                "default.replication.factor=1",
                "min.insync.replicas=1",
                "group.initial.rebalance.delay.ms=0",
                "auto.create.topics.enable=false",
                "num.partitions=6",
                "");
        Path file = data.resolve("server.properties");
        write(file, properties);
        return file;
    }

    /**
     * The broker's listeners: the client one (PLAINTEXT), the controller's, and, when clients are sent to another
     * port, an internal one for the broker's connections to itself.
     */
    private record Listeners(int brokerPort, int advertisedPort, int internalPort, int controllerPort) {

        static Listeners plain(int brokerPort, int controllerPort) {
            return new Listeners(brokerPort, brokerPort, 0, controllerPort);
        }

        static Listeners advertising(int brokerPort, int advertisedPort, int internalPort, int controllerPort) {
            return new Listeners(brokerPort, advertisedPort, internalPort, controllerPort);
        }

        private boolean internal() {
            return internalPort != 0;
        }

        String bound() {
            return "PLAINTEXT://" + HOST + ":" + brokerPort
                    + (internal() ? ",INTERNAL://" + HOST + ":" + internalPort : "")
                    + ",CONTROLLER://" + HOST + ":" + controllerPort;
        }

        String advertised() {
            return "PLAINTEXT://" + HOST + ":" + advertisedPort
                    + (internal() ? ",INTERNAL://" + HOST + ":" + internalPort : "");
        }

        String interBroker() {
            return internal() ? "INTERNAL" : "PLAINTEXT";
        }

        String protocolMap() {
            return "PLAINTEXT:PLAINTEXT," + (internal() ? "INTERNAL:PLAINTEXT," : "") + "CONTROLLER:PLAINTEXT";
        }
    }

    private static Path writeLogConfig(Path data) {
        String config = String.join(
                "\n",
                "status = warn",
                "appender.file.type = File",
                "appender.file.name = file",
                "appender.file.fileName = " + data.resolve("kafka.log"),
                "appender.file.layout.type = PatternLayout",
                "appender.file.layout.pattern = [%d] %p %m (%c)%n",
                "rootLogger.level = info",
                "rootLogger.appenderRef.file.ref = file",
                "");
        Path file = data.resolve("log4j2.properties");
        write(file, config);
        return file;
    }

    private static void write(Path file, String content) {
        try {
            Files.writeString(file, content, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("could not write " + file, e);
        }
    }
}
