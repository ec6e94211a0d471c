package io.polyglot.command;

import io.polyglot.runtime.InvalidSettingException;
import io.polyglot.runtime.KafkaClientConfig;
import io.polyglot.runtime.Setting;
import io.polyglot.runtime.Settings;
import io.polyglot.runtime.TokenAccess;
import io.polyglot.schemas.Limits;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.slf4j.LoggerFactory;

/**
 * The settings of the command service, each declared once with its default (suited to the local stack), validation
 * and doc. {@code access} is who may call the HTTP API ({@code POLYGLOT_TOKEN}, {@code METRICS_OPEN}).
 */
public record CommandServiceConfig(
        String kafkaBootstrapServers,
        int topicPartitions,
        short topicReplicationFactor,
        int commandMaxBytes,
        String httpHost,
        int httpPort,
        Duration requestTimeout,
        int requestMaxBytes,
        int batchMaxLines,
        int batchMaxBytes,
        Duration httpIdleTimeout,
        Duration httpBodyTimeout,
        Duration httpHeaderTimeout,
        int httpMaxHeaderBytes,
        int httpMaxConnections,
        int httpMaxThreads,
        Duration retryAfter,
        Duration healthProbeInterval,
        Map<String, Object> producerOverrides,
        Map<String, Object> adminOverrides,
        DeciderSettings decider,
        TokenAccess access) {

    public static final Setting<String> KAFKA_BOOTSTRAP_SERVERS =
            Setting.text("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092", "Kafka brokers to bootstrap from, host:port,...");
    public static final Setting<Integer> TOPIC_PARTITIONS =
            Setting.integer("TOPIC_PARTITIONS", 6, 1, 10_000, "Partitions of each topic the service creates");
    public static final Setting<Integer> TOPIC_REPLICATION_FACTOR = Setting.integer(
            "TOPIC_REPLICATION_FACTOR", 1, 1, Short.MAX_VALUE, "Replication factor of each topic the service creates");
    public static final Setting<Integer> COMMAND_MAX_BYTES = Setting.integer(
            "COMMAND_MAX_BYTES",
            Limits.DEFAULT_COMMAND_MAX_BYTES,
            1_024,
            Limits.COMMAND_MAX_BYTES_UPPER_BOUND,
            "Largest payload of one command, in bytes of Avro single-object encoding; larger ones get 413");
    public static final Setting<String> HTTP_HOST =
            Setting.text("HTTP_HOST", "127.0.0.1", "Address the HTTP API binds to");
    public static final Setting<Integer> HTTP_PORT =
            Setting.port("HTTP_PORT", 8080, "Port of the HTTP API; 0 picks a free one");
    public static final Setting<Duration> REQUEST_TIMEOUT = Setting.duration(
            "REQUEST_TIMEOUT",
            "10s",
            "Longest wait for Kafka within one request before answering 503 kafka-unavailable");
    public static final Setting<Integer> REQUEST_MAX_BYTES = Setting.integer(
            "REQUEST_MAX_BYTES",
            4 * 1_048_576,
            1_024,
            256 * 1_048_576,
            "Largest body of POST /v1/commands; a larger one gets 413 before it is read whole");
    public static final Setting<Integer> BATCH_MAX_LINES =
            Setting.integer("BATCH_MAX_LINES", 10_000, 1, 1_000_000, "Most lines in one POST /v1/commands:batch body");
    public static final Setting<Integer> BATCH_MAX_BYTES = Setting.integer(
            "BATCH_MAX_BYTES",
            16 * 1_048_576,
            1_024,
            1_024 * 1_048_576,
            "Largest body of POST /v1/commands:batch; a larger one gets 413 before it is read whole");
    public static final Setting<Duration> HTTP_IDLE_TIMEOUT =
            Setting.duration("HTTP_IDLE_TIMEOUT", "30s", "Connections with no bytes moving for this long are closed");
    public static final Setting<Duration> HTTP_BODY_TIMEOUT = Setting.duration(
            "HTTP_BODY_TIMEOUT",
            "10s",
            "Longest time from a request's headers to the end of its body; a body still unfinished then gets 408 and"
                    + " its connection is closed. A body that has already arrived whole is read however late");
    public static final Setting<Duration> HTTP_HEADER_TIMEOUT = Setting.duration(
            "HTTP_HEADER_TIMEOUT",
            "10s",
            "Longest time from a request's first byte to the end of its headers; headers still unfinished then get 408"
                    + " and the connection is closed, however steadily their bytes trickle in");
    public static final Setting<Integer> HTTP_MAX_HEADER_BYTES = Setting.integer(
            "HTTP_MAX_HEADER_BYTES",
            16_384,
            1_024,
            1_048_576,
            "Largest request line plus headers, in bytes; a larger one gets 431");
    public static final Setting<Integer> HTTP_MAX_CONNECTIONS = Setting.integer(
            "HTTP_MAX_CONNECTIONS",
            1_000,
            1,
            1_000_000,
            "Most connections open at once; beyond it new ones wait in the accept queue until one closes");
    public static final Setting<Integer> HTTP_MAX_THREADS = Setting.integer(
            "HTTP_MAX_THREADS",
            200,
            8,
            10_000,
            "Most threads serving requests; an idle connection holds none, so idle sockets cannot use them up. Jetty"
                    + " takes its acceptors and selectors (a few per core) from them too");
    public static final Setting<Duration> RETRY_AFTER = Setting.duration(
            "RETRY_AFTER", "5s", "Retry-After sent with 503 kafka-unavailable (whole seconds, at least 1)");
    public static final Setting<Duration> HEALTH_PROBE_INTERVAL =
            Setting.duration("HEALTH_PROBE_INTERVAL", "2s", "How often readiness asks Kafka about events.all");

    public static final Setting<String> DECIDER_APPLICATION_ID = Setting.text(
            "DECIDER_APPLICATION_ID",
            "polyglot-decider",
            "Kafka Streams application id of the decider: its consumer group and the prefix of its internal topics");
    public static final Setting<String> DECIDER_STATE_DIR = Setting.text(
            "DECIDER_STATE_DIR",
            Path.of(System.getProperty("java.io.tmpdir"), "polyglot-decider").toString(),
            "Folder of the decider's local state stores (RocksDB); rebuilt from their changelogs when lost");
    public static final Setting<Duration> DECIDER_COMMIT_INTERVAL = Setting.duration(
            "DECIDER_COMMIT_INTERVAL",
            "100ms",
            "How often the decider commits its transaction; a decision is visible, and answered, only once committed");
    public static final Setting<Duration> DECISION_WAIT = Setting.duration(
            "DECISION_WAIT", "5s", "Longest wait for a command's decision before answering 202 pending");
    public static final Setting<Duration> COMMAND_ID_RETENTION = Setting.duration(
            "COMMAND_ID_RETENTION",
            "7d",
            "How long a command id's first decision is kept: a retry within it gets that decision and"
                    + " produces nothing");
    public static final Setting<Duration> COMMAND_ID_SWEEP_INTERVAL = Setting.duration(
            "COMMAND_ID_SWEEP_INTERVAL",
            "10m",
            "How often, in wall-clock time, the decider deletes kept decisions older than COMMAND_ID_RETENTION");

    /** Every setting, in the order they are logged. */
    public static final List<Setting<?>> SETTINGS = List.of(
            KAFKA_BOOTSTRAP_SERVERS,
            TOPIC_PARTITIONS,
            TOPIC_REPLICATION_FACTOR,
            COMMAND_MAX_BYTES,
            HTTP_HOST,
            HTTP_PORT,
            REQUEST_TIMEOUT,
            REQUEST_MAX_BYTES,
            BATCH_MAX_LINES,
            BATCH_MAX_BYTES,
            HTTP_IDLE_TIMEOUT,
            HTTP_BODY_TIMEOUT,
            HTTP_HEADER_TIMEOUT,
            HTTP_MAX_HEADER_BYTES,
            HTTP_MAX_CONNECTIONS,
            HTTP_MAX_THREADS,
            RETRY_AFTER,
            HEALTH_PROBE_INTERVAL,
            DECIDER_APPLICATION_ID,
            DECIDER_STATE_DIR,
            DECIDER_COMMIT_INTERVAL,
            DECISION_WAIT,
            COMMAND_ID_RETENTION,
            COMMAND_ID_SWEEP_INTERVAL,
            TokenAccess.POLYGLOT_TOKEN,
            TokenAccess.METRICS_OPEN);

    private static final List<String> TIMEOUTS_FROM_REQUEST_TIMEOUT = List.of(
            ProducerConfig.MAX_BLOCK_MS_CONFIG,
            ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG,
            ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG);

    public CommandServiceConfig {
        producerOverrides = Map.copyOf(producerOverrides);
        adminOverrides = Map.copyOf(adminOverrides);
    }

    /**
     * Reads the settings from an environment ({@code System.getenv()} in production); Kafka client properties pass
     * through as {@code KAFKA_PRODUCER_*} and {@code KAFKA_ADMIN_*}.
     *
     * @throws InvalidSettingException naming each bad key, its value (a secret's masked) and the reason, or when no
     *     token is set and {@code HTTP_HOST} is not a loopback address
     */
    public static CommandServiceConfig from(Map<String, String> env) {
        return from(Settings.load(env, SETTINGS));
    }

    /** The config of already loaded settings. */
    public static CommandServiceConfig from(Settings settings) {
        CommandServiceConfig config = new CommandServiceConfig(
                settings.get(KAFKA_BOOTSTRAP_SERVERS),
                settings.get(TOPIC_PARTITIONS),
                settings.get(TOPIC_REPLICATION_FACTOR).shortValue(),
                settings.get(COMMAND_MAX_BYTES),
                settings.get(HTTP_HOST),
                settings.get(HTTP_PORT),
                settings.get(REQUEST_TIMEOUT),
                settings.get(REQUEST_MAX_BYTES),
                settings.get(BATCH_MAX_LINES),
                settings.get(BATCH_MAX_BYTES),
                settings.get(HTTP_IDLE_TIMEOUT),
                settings.get(HTTP_BODY_TIMEOUT),
                settings.get(HTTP_HEADER_TIMEOUT),
                settings.get(HTTP_MAX_HEADER_BYTES),
                settings.get(HTTP_MAX_CONNECTIONS),
                settings.get(HTTP_MAX_THREADS),
                settings.get(RETRY_AFTER),
                settings.get(HEALTH_PROBE_INTERVAL),
                settings.kafkaPassThrough("KAFKA_PRODUCER_"),
                settings.kafkaPassThrough("KAFKA_ADMIN_"),
                new DeciderSettings(
                        settings.get(DECIDER_APPLICATION_ID),
                        Path.of(settings.get(DECIDER_STATE_DIR)),
                        settings.get(DECIDER_COMMIT_INTERVAL),
                        settings.get(DECISION_WAIT),
                        settings.get(COMMAND_ID_RETENTION),
                        settings.get(COMMAND_ID_SWEEP_INTERVAL),
                        settings.kafkaPassThrough("KAFKA_STREAMS_")),
                TokenAccess.from(
                        settings, settings.get(HTTP_HOST), LoggerFactory.getLogger(CommandServiceConfig.class)));
        config.producerProperties();
        config.streamsProperties();
        return config;
    }

    /**
     * The shared producer's properties: the pipeline's guarantees from {@link KafkaClientConfig}, and every wait
     * bounded by {@code REQUEST_TIMEOUT} so that no request hangs on Kafka.
     *
     * @throws InvalidSettingException when a pass-through override weakens a guarantee or sets a timeout that
     *     {@code REQUEST_TIMEOUT} owns
     */
    public Map<String, Object> producerProperties() {
        for (String key : TIMEOUTS_FROM_REQUEST_TIMEOUT) {
            if (producerOverrides.containsKey(key)) {
                throw new InvalidSettingException(key + "=" + producerOverrides.get(key)
                        + " is refused: set REQUEST_TIMEOUT instead, which bounds "
                        + String.join(", ", TIMEOUTS_FROM_REQUEST_TIMEOUT));
            }
        }
        Map<String, Object> overrides = new HashMap<>(producerOverrides);
        // A batch sends a line only once the aggregate's line before it is stored (OrderedSends), so every
        // millisecond of linger is paid once per line of a case; the producer still batches while its requests are
        // in flight.
        overrides.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 0);
        long timeoutMs = requestTimeout.toMillis();
        long lingerMs = lingerMs(overrides.get(ProducerConfig.LINGER_MS_CONFIG));
        overrides.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, timeoutMs);
        overrides.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) Math.min(Integer.MAX_VALUE, timeoutMs));
        // Kafka requires delivery.timeout.ms >= linger.ms + request.timeout.ms.
        overrides.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int)
                Math.max(1, Math.min(Integer.MAX_VALUE, timeoutMs - lingerMs)));
        overrides.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "command-service");
        return KafkaClientConfig.producer(kafkaBootstrapServers, commandMaxBytes, overrides);
    }

    /**
     * The decider's Kafka Streams properties: {@code exactly_once_v2}, the commit interval, the state folder, and a
     * producer that can carry the largest command's events. Pass-through overrides ({@code KAFKA_STREAMS_*}) may
     * tune anything else.
     *
     * @throws InvalidSettingException when an override changes the processing guarantee or weakens the producer's
     *     {@code acks} or idempotence
     */
    public Map<String, Object> streamsProperties() {
        Map<String, Object> overrides = decider.streamsOverrides();
        requireUnset(overrides, StreamsConfig.PROCESSING_GUARANTEE_CONFIG, "the decider needs exactly_once_v2");
        requireUnset(overrides, StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "set DECIDER_COMMIT_INTERVAL instead");
        for (String key : List.of(ProducerConfig.ACKS_CONFIG, ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG)) {
            requireUnset(overrides, key, "the pipeline's guarantees need acks=all and idempotence");
            requireUnset(overrides, StreamsConfig.producerPrefix(key), "the pipeline's guarantees need it unchanged");
        }
        Map<String, Object> properties = new HashMap<>(overrides);
        properties.put(StreamsConfig.APPLICATION_ID_CONFIG, decider.applicationId());
        properties.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, kafkaBootstrapServers);
        properties.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        properties.put(
                StreamsConfig.COMMIT_INTERVAL_MS_CONFIG,
                decider.commitInterval().toMillis());
        properties.put(StreamsConfig.STATE_DIR_CONFIG, decider.stateDir().toString());
        properties.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, (int) topicReplicationFactor);
        properties.putIfAbsent(
                StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG),
                Limits.recordMaxBytes(commandMaxBytes));
        return properties;
    }

    private static void requireUnset(Map<String, Object> overrides, String key, String reason) {
        if (overrides.containsKey(key)) {
            throw new InvalidSettingException(key + "=" + overrides.get(key) + " is refused: " + reason);
        }
    }

    /** Properties of the admin client that sets up topics and probes readiness. */
    public Map<String, Object> adminProperties() {
        Map<String, Object> properties = new HashMap<>(adminOverrides);
        properties.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafkaBootstrapServers);
        properties.putIfAbsent(AdminClientConfig.CLIENT_ID_CONFIG, "command-service-admin");
        return properties;
    }

    /**
     * The decider's settings.
     *
     * @param applicationId the Kafka Streams application id ({@code DECIDER_APPLICATION_ID})
     * @param stateDir the folder of the local state stores ({@code DECIDER_STATE_DIR})
     * @param commitInterval how often the decider commits ({@code DECIDER_COMMIT_INTERVAL})
     * @param decisionWait the longest wait for a decision in a request ({@code DECISION_WAIT})
     * @param commandIdRetention how long a command id's decision is kept ({@code COMMAND_ID_RETENTION})
     * @param commandIdSweepInterval how often expired decisions are deleted ({@code COMMAND_ID_SWEEP_INTERVAL})
     * @param streamsOverrides Kafka Streams properties passed through as {@code KAFKA_STREAMS_*}
     */
    public record DeciderSettings(
            String applicationId,
            Path stateDir,
            Duration commitInterval,
            Duration decisionWait,
            Duration commandIdRetention,
            Duration commandIdSweepInterval,
            Map<String, Object> streamsOverrides) {

        public DeciderSettings {
            streamsOverrides = Map.copyOf(streamsOverrides);
        }
    }

    private static long lingerMs(Object configured) {
        try {
            return Long.parseLong(configured.toString().trim());
        } catch (NumberFormatException e) {
            throw new InvalidSettingException("linger.ms=" + configured + " is invalid: expected a whole number");
        }
    }
}
