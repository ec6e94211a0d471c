package io.polyglot.projection;

import io.polyglot.runtime.DatabaseUrl;
import io.polyglot.runtime.Setting;
import io.polyglot.runtime.Settings;
import io.polyglot.schemas.Topics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.slf4j.Logger;

/**
 * The settings of the projection worker, read once from the environment.
 *
 * @param bootstrapServers the Kafka brokers to read from
 * @param topic the topic whose events are projected
 * @param consumerGroup the consumer group, also the owner of the stored offsets
 * @param database where the read model lives
 * @param host the address the health endpoint binds to
 * @param healthPort the port of the health endpoint, 0 for a free one
 * @param pollTimeout how long one poll waits for records
 * @param databaseRetryMaxDelay the longest pause between two attempts to reach the database while it is unavailable
 * @param consumerOverrides Kafka consumer properties passed through as {@code KAFKA_CONSUMER_*}
 * @param deadLetterTopic where records the projection cannot decode or PostgreSQL refuses go, once for the group
 * @param deadLetterTimeout how long sending one dead letter, or reading the group's, may take
 * @param producerOverrides properties of the dead-letter producer passed through as {@code KAFKA_PRODUCER_*}
 * @param poisonAttempts how many times a record PostgreSQL refuses is applied alone before it is a dead letter
 * @param poisonStreak how many dead letters in a row, with no record applied between them, before a further refusal
 *     is taken for the database's fault and waited out instead
 * @param swapLockTimeout how long each try of a rebuild's swap waits for the views and tables it replaces
 * @param swapMaxWait how long a rebuild's swap keeps trying while readers hold those views, before the rebuild fails
 */
public record ProjectionConfig(
        String bootstrapServers,
        String topic,
        String consumerGroup,
        DatabaseUrl database,
        String host,
        int healthPort,
        Duration pollTimeout,
        Duration databaseRetryMaxDelay,
        Map<String, Object> consumerOverrides,
        String deadLetterTopic,
        Duration deadLetterTimeout,
        Map<String, Object> producerOverrides,
        int poisonAttempts,
        int poisonStreak,
        Duration swapLockTimeout,
        Duration swapMaxWait) {

    static final Setting<String> KAFKA_BOOTSTRAP_SERVERS =
            Setting.text("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092", "Kafka brokers to read events from.");
    static final Setting<String> DATABASE_URL = Setting.secret(
            "DATABASE_URL",
            "postgresql://polyglot:polyglot@127.0.0.1:5432/polyglot",
            "PostgreSQL of the read model, as a libpq URI postgresql://user:password@host:port/database.");
    static final Setting<String> HTTP_HOST =
            Setting.text("HTTP_HOST", "127.0.0.1", "Address the health and metrics endpoint binds to.");
    static final Setting<Integer> HEALTH_PORT =
            Setting.port("HEALTH_PORT", 8082, "Port of /health/live, /health/ready and /metrics; 0 picks a free one.");
    static final Setting<String> PROJECTION_TOPIC =
            Setting.text("PROJECTION_TOPIC", Topics.EVENTS_ALL, "Topic whose events are folded into the read model.");
    static final Setting<String> PROJECTION_GROUP = Setting.text(
            "PROJECTION_GROUP", "polyglot-projection", "Consumer group of the worker; it owns the stored offsets.");
    static final Setting<Duration> PROJECTION_POLL_TIMEOUT =
            Setting.duration("PROJECTION_POLL_TIMEOUT", "500ms", "How long one poll waits for new events.");
    static final Setting<Duration> DATABASE_RETRY_MAX_DELAY = Setting.duration(
            "DATABASE_RETRY_MAX_DELAY",
            "10s",
            "Longest pause between attempts while PostgreSQL is unavailable; the partitions stay paused, never given"
                    + " up.");

    static final Setting<String> PROJECTION_DLQ_TOPIC = Setting.text(
            "PROJECTION_DLQ_TOPIC",
            Topics.EVENTS_DLQ,
            "Topic that records the projection cannot decode, or PostgreSQL refuses for good, go to,"
                    + " once for its group.");
    static final Setting<Duration> DEAD_LETTER_TIMEOUT = Setting.duration(
            "DEAD_LETTER_TIMEOUT",
            "10s",
            "How long sending a dead letter may take; the batch waits and is retried when Kafka does not take it.");

    static final Setting<Integer> PROJECTION_POISON_ATTEMPTS = Setting.integer(
            "PROJECTION_POISON_ATTEMPTS",
            3,
            1,
            100,
            "How many times a record PostgreSQL refuses for good is applied alone before it goes to the dead letters.");
    static final Setting<Integer> PROJECTION_POISON_STREAK = Setting.integer(
            "PROJECTION_POISON_STREAK",
            5,
            1,
            10_000,
            "Dead letters of refused records in a row, none applied between, after which the worker pauses as for an"
                    + " outage instead of sending more: the database, not the records, is then at fault.");

    static final Setting<Duration> REBUILD_SWAP_LOCK_TIMEOUT = Setting.duration(
            "REBUILD_SWAP_LOCK_TIMEOUT",
            "2s",
            "How long each try of a rebuild's swap waits for the views it replaces; queries of those views queue"
                    + " behind it meanwhile, so this is the longest a try holds them up.");
    static final Setting<Duration> REBUILD_SWAP_MAX_WAIT = Setting.duration(
            "REBUILD_SWAP_MAX_WAIT",
            "5m",
            "How long a rebuild's swap keeps trying while readers hold the views; then the rebuild fails, the old"
                    + " views serving on.");

    /** Every setting the worker reads. */
    public static final List<Setting<?>> SETTINGS = List.of(
            KAFKA_BOOTSTRAP_SERVERS,
            DATABASE_URL,
            HTTP_HOST,
            HEALTH_PORT,
            PROJECTION_TOPIC,
            PROJECTION_GROUP,
            PROJECTION_POLL_TIMEOUT,
            DATABASE_RETRY_MAX_DELAY,
            PROJECTION_DLQ_TOPIC,
            DEAD_LETTER_TIMEOUT,
            PROJECTION_POISON_ATTEMPTS,
            PROJECTION_POISON_STREAK,
            REBUILD_SWAP_LOCK_TIMEOUT,
            REBUILD_SWAP_MAX_WAIT);

    /** Poll records in bigger batches than Kafka's default, so each transaction carries more events. */
    static final int DEFAULT_MAX_POLL_RECORDS = 5_000;

    public ProjectionConfig {
        consumerOverrides = Map.copyOf(consumerOverrides);
        producerOverrides = Map.copyOf(producerOverrides);
    }

    /**
     * Reads and validates the settings, logging them with secrets masked.
     *
     * @throws io.polyglot.runtime.InvalidSettingException naming the setting, the value and the reason
     */
    public static ProjectionConfig fromEnvironment(Map<String, String> env, Logger log) {
        Settings settings = Settings.load(env, SETTINGS);
        settings.logResolved(log);
        Map<String, Object> overrides = new TreeMap<>(settings.kafkaPassThrough("KAFKA_CONSUMER_"));
        overrides.putIfAbsent(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, DEFAULT_MAX_POLL_RECORDS);
        return new ProjectionConfig(
                settings.get(KAFKA_BOOTSTRAP_SERVERS),
                settings.get(PROJECTION_TOPIC),
                settings.get(PROJECTION_GROUP),
                DatabaseUrl.parse(settings.get(DATABASE_URL)),
                settings.get(HTTP_HOST),
                settings.get(HEALTH_PORT),
                settings.get(PROJECTION_POLL_TIMEOUT),
                settings.get(DATABASE_RETRY_MAX_DELAY),
                overrides,
                settings.get(PROJECTION_DLQ_TOPIC),
                settings.get(DEAD_LETTER_TIMEOUT),
                settings.kafkaPassThrough("KAFKA_PRODUCER_"),
                settings.get(PROJECTION_POISON_ATTEMPTS),
                settings.get(PROJECTION_POISON_STREAK),
                settings.get(REBUILD_SWAP_LOCK_TIMEOUT),
                settings.get(REBUILD_SWAP_MAX_WAIT));
    }
}
