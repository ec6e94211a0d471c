package io.polyglot.archiver;

import io.polyglot.archive.store.ArchiveStoreConfig;
import io.polyglot.runtime.Setting;
import io.polyglot.runtime.Settings;
import io.polyglot.schemas.Limits;
import io.polyglot.schemas.Topics;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;

/**
 * Everything the archiver is configured with, resolved once at start.
 *
 * @param bootstrapServers the Kafka brokers
 * @param topic the topic to archive, {@code events.all} outside tests
 * @param group the consumer group, {@code polyglot-archiver} outside tests
 * @param consumerOverrides Kafka consumer properties passed through as {@code KAFKA_CONSUMER_*}
 * @param store how to reach the archive bucket
 * @param warmDir the local directory that holds the warm copies of segments
 * @param segmentMaxEvents the most events a segment holds
 * @param segmentMaxIdle how long a segment stays open without a new event
 * @param warmMaxBytes how many bytes of stored segments the warm tier keeps
 * @param bufferMaxBytes from how many bytes of events waiting for storage on the archiver stops reading
 * @param healthHost the address the health and metrics endpoint binds to
 * @param healthPort the port of the health and metrics endpoint, 0 for a free one
 * @param deadLetterTopic where records that cannot be archived go, {@code events.dlq} outside tests
 * @param schemasTopic the schema catalog, {@code schemas} outside tests
 * @param producerOverrides Kafka producer properties of the dead-letter producer, passed through as
 *     {@code KAFKA_PRODUCER_*}
 * @param commandMaxBytes the command size limit, from which the producer's request size follows
 * @param deadLetterTimeout how long sending one dead letter, or reading {@code events.dlq}, may take
 * @param schemaRefreshInterval the shortest time between two reads of the schema catalog
 */
record ArchiverSettings(
        String bootstrapServers,
        String topic,
        String group,
        Map<String, Object> consumerOverrides,
        ArchiveStoreConfig store,
        Path warmDir,
        long warmMaxBytes,
        int segmentMaxEvents,
        Duration segmentMaxIdle,
        long bufferMaxBytes,
        String healthHost,
        int healthPort,
        String deadLetterTopic,
        String schemasTopic,
        Map<String, Object> producerOverrides,
        int commandMaxBytes,
        Duration deadLetterTimeout,
        Duration schemaRefreshInterval) {

    /** Settings with the dead-letter and catalog parts at their defaults, on the design's topics. */
    ArchiverSettings(
            String bootstrapServers,
            String topic,
            String group,
            Map<String, Object> consumerOverrides,
            ArchiveStoreConfig store,
            Path warmDir,
            long warmMaxBytes,
            int segmentMaxEvents,
            Duration segmentMaxIdle,
            long bufferMaxBytes,
            String healthHost,
            int healthPort) {
        this(
                bootstrapServers,
                topic,
                group,
                consumerOverrides,
                store,
                warmDir,
                warmMaxBytes,
                segmentMaxEvents,
                segmentMaxIdle,
                bufferMaxBytes,
                healthHost,
                healthPort,
                Topics.EVENTS_DLQ,
                Topics.SCHEMAS,
                Map.of(),
                Limits.DEFAULT_COMMAND_MAX_BYTES,
                Duration.ofSeconds(10),
                Duration.ofSeconds(5));
    }

    /** The same settings reading and writing other topics, for tests that keep each test's records apart. */
    ArchiverSettings withTopics(String deadLetterTopic, String schemasTopic) {
        return new ArchiverSettings(
                bootstrapServers,
                topic,
                group,
                consumerOverrides,
                store,
                warmDir,
                warmMaxBytes,
                segmentMaxEvents,
                segmentMaxIdle,
                bufferMaxBytes,
                healthHost,
                healthPort,
                deadLetterTopic,
                schemasTopic,
                producerOverrides,
                commandMaxBytes,
                deadLetterTimeout,
                schemaRefreshInterval);
    }

    /** The consumer group of every archiver instance. */
    static final String GROUP = "polyglot-archiver";

    private static final int MIB = 1024 * 1024;

    static final Setting<String> KAFKA_BOOTSTRAP_SERVERS = Setting.text(
            "KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092", "Kafka brokers to read events.all from, host:port[,...]");
    static final Setting<String> S3_ENDPOINT = Setting.text(
            "S3_ENDPOINT", "http://127.0.0.1:9000", "S3-compatible endpoint of the archive, addressed path-style");
    static final Setting<String> S3_BUCKET =
            Setting.text("S3_BUCKET", "polyglot-archive", "Bucket that holds the archived segments");
    static final Setting<String> S3_REGION =
            Setting.text("S3_REGION", "us-east-1", "Signing region of the archive store, always explicit");
    static final Setting<String> AWS_ACCESS_KEY_ID =
            Setting.text("AWS_ACCESS_KEY_ID", null, "Static access key id of the archive store");
    static final Setting<String> AWS_SECRET_ACCESS_KEY =
            Setting.secret("AWS_SECRET_ACCESS_KEY", null, "Static secret key of the archive store");
    static final Setting<String> WARM_DIR =
            Setting.text("WARM_DIR", "./warm", "Local directory of the warm tier: segments are written here first");
    static final Setting<Integer> WARM_MAX_BYTES = Setting.integer(
            "WARM_MAX_BYTES",
            1024 * MIB,
            0,
            Integer.MAX_VALUE,
            "Bytes of uploaded segments the warm tier keeps; the oldest go first, segments not uploaded never");
    static final Setting<Integer> SEGMENT_MAX_EVENTS = Setting.integer(
            "SEGMENT_MAX_EVENTS", 100, 1, 100_000, "Most events in one segment; a full segment is sealed at once");
    static final Setting<Duration> SEGMENT_MAX_IDLE =
            Setting.duration("SEGMENT_MAX_IDLE", "5s", "A segment with no new event for this long is sealed");
    static final Setting<Boolean> ARCHIVE_READ_BACK = Setting.flag(
            "ARCHIVE_READ_BACK",
            false,
            "Download each uploaded segment and compare its SHA-256, for stores that do not"
                    + " verify x-amz-checksum-sha256");
    static final Setting<Integer> ARCHIVE_MULTIPART_THRESHOLD = Setting.integer(
            "ARCHIVE_MULTIPART_THRESHOLD",
            (int) ArchiveStoreConfig.DEFAULT_MULTIPART_THRESHOLD_BYTES,
            MIB,
            Integer.MAX_VALUE,
            "Segment files of at least this many bytes are uploaded in parts, each part checksummed");
    static final Setting<Integer> ARCHIVE_MULTIPART_PART_SIZE = Setting.integer(
            "ARCHIVE_MULTIPART_PART_SIZE",
            ArchiveStoreConfig.DEFAULT_MULTIPART_PART_BYTES,
            5 * MIB,
            1024 * MIB,
            "Bytes in each part of a multipart upload but the last; S3 wants at least 5 MiB");
    static final Setting<Integer> ARCHIVER_BUFFER_MAX_BYTES = Setting.integer(
            "ARCHIVER_BUFFER_MAX_BYTES",
            128 * MIB,
            MIB,
            Integer.MAX_VALUE,
            "Bytes of events waiting for storage (open segments and unsent ones) from which on the archiver pauses its"
                    + " partitions; at least one full segment");
    static final Setting<Integer> COMMAND_MAX_BYTES = Setting.integer(
            "COMMAND_MAX_BYTES",
            Limits.DEFAULT_COMMAND_MAX_BYTES,
            1024,
            64 * MIB,
            "Largest command payload in bytes; the dead-letter producer's max.request.size leaves headroom above it");
    static final Setting<Duration> DEAD_LETTER_TIMEOUT = Setting.duration(
            "DEAD_LETTER_TIMEOUT",
            "10s",
            "How long sending one dead letter to events.dlq, or reading events.dlq, may take before it is retried");
    static final Setting<Duration> SCHEMA_REFRESH_INTERVAL = Setting.duration(
            "SCHEMA_REFRESH_INTERVAL",
            "5s",
            "Shortest time between two reads of the schemas topic when a record names a schema not found yet");
    static final Setting<String> HTTP_HOST =
            Setting.text("HTTP_HOST", "127.0.0.1", "Address the health and metrics endpoint binds to");
    static final Setting<Integer> HEALTH_PORT =
            Setting.port("HEALTH_PORT", 8081, "Port of /health/live, /health/ready and /metrics; 0 picks a free one");

    static List<Setting<?>> declared() {
        return List.of(
                KAFKA_BOOTSTRAP_SERVERS,
                S3_ENDPOINT,
                S3_BUCKET,
                S3_REGION,
                AWS_ACCESS_KEY_ID,
                AWS_SECRET_ACCESS_KEY,
                WARM_DIR,
                WARM_MAX_BYTES,
                SEGMENT_MAX_EVENTS,
                SEGMENT_MAX_IDLE,
                ARCHIVER_BUFFER_MAX_BYTES,
                ARCHIVE_READ_BACK,
                ARCHIVE_MULTIPART_THRESHOLD,
                ARCHIVE_MULTIPART_PART_SIZE,
                COMMAND_MAX_BYTES,
                DEAD_LETTER_TIMEOUT,
                SCHEMA_REFRESH_INTERVAL,
                HTTP_HOST,
                HEALTH_PORT);
    }

    /**
     * Resolves the settings from {@code env} and logs them, secrets masked.
     *
     * @throws io.polyglot.runtime.InvalidSettingException naming every setting that is missing or invalid
     */
    static ArchiverSettings load(Map<String, String> env, Logger log) {
        Settings settings = Settings.load(env, declared());
        settings.logResolved(log);
        ArchiveStoreConfig store = new ArchiveStoreConfig(
                endpoint(settings.get(S3_ENDPOINT)),
                settings.get(S3_BUCKET),
                settings.get(S3_REGION),
                settings.get(AWS_ACCESS_KEY_ID),
                settings.get(AWS_SECRET_ACCESS_KEY),
                settings.get(ARCHIVE_READ_BACK),
                settings.get(ARCHIVE_MULTIPART_THRESHOLD),
                settings.get(ARCHIVE_MULTIPART_PART_SIZE));
        return new ArchiverSettings(
                settings.get(KAFKA_BOOTSTRAP_SERVERS),
                Topics.EVENTS_ALL,
                GROUP,
                settings.kafkaPassThrough("KAFKA_CONSUMER_"),
                store,
                Path.of(settings.get(WARM_DIR)),
                settings.get(WARM_MAX_BYTES),
                settings.get(SEGMENT_MAX_EVENTS),
                settings.get(SEGMENT_MAX_IDLE),
                settings.get(ARCHIVER_BUFFER_MAX_BYTES),
                settings.get(HTTP_HOST),
                settings.get(HEALTH_PORT),
                Topics.EVENTS_DLQ,
                Topics.SCHEMAS,
                settings.kafkaPassThrough("KAFKA_PRODUCER_"),
                settings.get(COMMAND_MAX_BYTES),
                settings.get(DEAD_LETTER_TIMEOUT),
                settings.get(SCHEMA_REFRESH_INTERVAL));
    }

    private static URI endpoint(String text) {
        try {
            URI uri = new URI(text);
            if (uri.getScheme() == null || uri.getHost() == null) {
                throw new io.polyglot.runtime.InvalidSettingException(
                        S3_ENDPOINT.name() + "='" + text + "' is invalid: expected http://host:port");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new io.polyglot.runtime.InvalidSettingException(
                    S3_ENDPOINT.name() + "='" + text + "' is invalid: " + e.getMessage());
        }
    }
}
