package io.polyglot.command;

import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.polyglot.command.decider.Decider;
import io.polyglot.command.decider.DeciderTopology;
import io.polyglot.command.decider.UncommittedChanges;
import io.polyglot.command.http.CommandApi;
import io.polyglot.command.intake.CommandIntake;
import io.polyglot.command.intake.CommandTypes;
import io.polyglot.command.kafka.KafkaCommandLog;
import io.polyglot.command.kafka.KafkaDecider;
import io.polyglot.command.kafka.KafkaReadiness;
import io.polyglot.command.kafka.SchemaPublisher;
import io.polyglot.command.rules.RuleBook;
import io.polyglot.runtime.KafkaClientConfig;
import io.polyglot.runtime.Metrics;
import io.polyglot.runtime.TopicSetup;
import io.polyglot.schemas.EventCodec;
import io.polyglot.schemas.KnownSchemas;
import io.polyglot.schemas.Topics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.streams.StreamsConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running command service: topics ensured, schemas published, one shared idempotent producer, the decider
 * (Kafka Streams) with the feed of its decisions, the readiness probe and the HTTP API. Closing it stops the API
 * first, then the decider, then flushes and closes the producer.
 */
public final class CommandService implements AutoCloseable {

    /**
     * How long a start keeps publishing the schemas: a topic the start has just created can take longer than one
     * request timeout to get a leader on a busy broker, and a record waits at most the request timeout.
     */
    private static final Duration SCHEMAS_STARTUP_WAIT = Duration.ofSeconds(60);

    private static final Logger log = LoggerFactory.getLogger(CommandService.class);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration DECIDER_START_TIMEOUT = Duration.ofSeconds(60);

    private final Deque<AutoCloseable> resources;
    private final CommandApi api;
    private final PrometheusMeterRegistry registry;

    private CommandService(Deque<AutoCloseable> resources, CommandApi api, PrometheusMeterRegistry registry) {
        this.resources = resources;
        this.api = api;
        this.registry = registry;
    }

    /**
     * Starts the service; returns once the API answers.
     *
     * @throws io.polyglot.runtime.KafkaUnavailableException when Kafka does not answer while topics are set up or
     *     schemas are published
     */
    public static CommandService start(CommandServiceConfig config, Clock clock) {
        Deque<AutoCloseable> resources = new ArrayDeque<>();
        try {
            PrometheusMeterRegistry registry = Metrics.registry("command-service");
            resources.push(registry::close);
            Admin admin = Admin.create(config.adminProperties());
            resources.push(() -> admin.close(CLOSE_TIMEOUT));
            TopicSetup.ensure(
                    admin, config.topicPartitions(), config.topicReplicationFactor(), config.commandMaxBytes());

            Producer<byte[], byte[]> producer = new KafkaProducer<>(config.producerProperties());
            resources.push(() -> producer.close(CLOSE_TIMEOUT));
            KafkaClientMetrics producerMetrics = new KafkaClientMetrics(producer);
            producerMetrics.bindTo(registry);
            resources.push(producerMetrics);
            SchemaPublisher.schemasTopic(producer)
                    .publishWithin(KnownSchemas.all().values(), config.requestTimeout(), SCHEMAS_STARTUP_WAIT);
            producer.partitionsFor(Topics.COMMANDS);

            EventCodec codec = EventCodec.standard();
            RuleBook rules = RuleBook.load();
            log.info("Aggregate rules loaded (governed={})", rules.governedTypes());
            int httpPort = config.httpPort() == 0 ? freePort(config.httpHost()) : config.httpPort();
            Map<String, Object> streamsProperties = new HashMap<>(config.streamsProperties());
            // Other instances route reads of this instance's partitions to the address it answers HTTP on.
            streamsProperties.put(StreamsConfig.APPLICATION_SERVER_CONFIG, config.httpHost() + ":" + httpPort);
            UncommittedChanges uncommitted = new UncommittedChanges();
            KafkaDecider decider = KafkaDecider.start(
                    DeciderTopology.build(
                            new Decider(rules, codec),
                            codec,
                            config.decider().commandIdRetention(),
                            config.decider().commandIdSweepInterval(),
                            uncommitted),
                    uncommitted,
                    streamsProperties,
                    KafkaClientConfig.consumer(
                            config.kafkaBootstrapServers(), "command-service-decision-feed", Map.of()),
                    DECIDER_START_TIMEOUT);
            resources.push(decider);

            KafkaReadiness readiness =
                    new KafkaReadiness(admin, Topics.EVENTS_ALL, config.healthProbeInterval()).start();
            resources.push(readiness);
            CommandIntake intake = new CommandIntake(
                    CommandTypes.standard(), codec, clock, UUID::randomUUID, config.commandMaxBytes());
            CommandApi api = new CommandApi(
                    httpSettings(config, httpPort),
                    intake,
                    KafkaCommandLog.commands(producer),
                    decider,
                    registry,
                    () -> decider.isRunning() && readiness.getAsBoolean(),
                    clock,
                    config.access());
            resources.push(api);
            api.start();
            log.info("Command service started (port={}, topic={})", api.port(), Topics.COMMANDS);
            return new CommandService(resources, api, registry);
        } catch (RuntimeException e) {
            closeAll(resources);
            throw e;
        }
    }

    /** The port the HTTP API is bound to. */
    public int port() {
        return api.port();
    }

    /** Every route of the HTTP API, as {@code METHOD /path}. */
    public List<String> routes() {
        return api.routes();
    }

    /** The metrics registry scraped at {@code /metrics}. */
    public PrometheusMeterRegistry registry() {
        return registry;
    }

    @Override
    public void close() {
        closeAll(resources);
        log.info("Command service stopped");
    }

    /**
     * A free port for {@code HTTP_PORT=0}: the decider must advertise the HTTP port before the server binds it. The
     * port could be taken in between by another process; the server then fails to start, and a restart picks again.
     */
    private static int freePort(String host) {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(host))) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port on " + host, e);
        }
    }

    private static CommandApi.HttpSettings httpSettings(CommandServiceConfig config, int httpPort) {
        return new CommandApi.HttpSettings(
                config.httpHost(),
                httpPort,
                config.requestTimeout(),
                config.requestMaxBytes(),
                config.batchMaxLines(),
                config.batchMaxBytes(),
                config.httpIdleTimeout(),
                config.httpBodyTimeout(),
                config.httpHeaderTimeout(),
                config.httpMaxHeaderBytes(),
                config.httpMaxConnections(),
                config.httpMaxThreads(),
                config.retryAfter(),
                config.decider().decisionWait());
    }

    private static void closeAll(Deque<AutoCloseable> resources) {
        while (!resources.isEmpty()) {
            AutoCloseable resource = resources.pop();
            try {
                resource.close();
            } catch (Exception e) {
                log.warn("Closing a resource of the command service failed", e);
            }
        }
    }
}
