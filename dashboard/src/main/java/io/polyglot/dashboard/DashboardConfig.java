package io.polyglot.dashboard;

import io.polyglot.runtime.DatabaseUrl;
import io.polyglot.runtime.InvalidSettingException;
import io.polyglot.runtime.Setting;
import io.polyglot.runtime.Settings;
import io.polyglot.runtime.TokenAccess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.LoggerFactory;

/**
 * The settings of the dashboard, each declared once with its default (suited to the local stack), validation and doc.
 * {@code access} is who may call it ({@code POLYGLOT_TOKEN}, {@code METRICS_OPEN}): without a token it runs open,
 * which only a loopback bind allows.
 *
 * @param httpHost the address the dashboard binds to
 * @param httpPort its port, 0 for a free one
 * @param database the PostgreSQL of the read-model views it shows
 * @param kafkaBootstrapServers the Kafka the overview reads offsets from
 * @param s3 where the archive is
 * @param commandUrl the command service's base URL
 * @param archiverHealthUrl the archiver-worker's health endpoint base URL
 * @param projectionHealthUrl the projection-worker's health endpoint base URL
 * @param sessionTtl how long a sign-in lasts
 * @param queryTimeout the longest a query of a view may run
 * @param overview whether the overview samples the processes, Kafka, PostgreSQL and the archive at all
 * @param overviewInterval how often the overview samples health, lag and the archive
 * @param access who may call the dashboard
 * @param serviceToken the stack's token, which the dashboard shows the command service, the importer and the
 *     workers' admin endpoints; empty when the stack runs open; never logged
 * @param events how much the events and dead-letter pages may read and wait
 * @param operations what the Seed page needs: the importer, the seed folder and the largest upload
 */
public record DashboardConfig(
        String httpHost,
        int httpPort,
        DatabaseUrl database,
        String kafkaBootstrapServers,
        ArchiveLocation s3,
        String commandUrl,
        String archiverHealthUrl,
        String projectionHealthUrl,
        Duration sessionTtl,
        Duration queryTimeout,
        boolean overview,
        Duration overviewInterval,
        TokenAccess access,
        String serviceToken,
        EventPages events,
        Operations operations) {

    public static final Setting<String> HTTP_HOST =
            Setting.text("HTTP_HOST", "127.0.0.1", "Address the dashboard binds to");
    public static final Setting<Integer> HTTP_PORT =
            Setting.port("HTTP_PORT", 8090, "Port of the dashboard; 0 picks a free one");
    public static final Setting<String> DATABASE_URL = Setting.secret(
            "DATABASE_URL",
            "postgresql://polyglot:polyglot@127.0.0.1:5432/polyglot",
            "PostgreSQL of the read-model views, as a libpq URI postgresql://user:password@host:port/database");
    public static final Setting<String> KAFKA_BOOTSTRAP_SERVERS = Setting.text(
            "KAFKA_BOOTSTRAP_SERVERS",
            "127.0.0.1:9092",
            "Kafka brokers the overview reads offsets from, host:port,...");
    public static final Setting<String> S3_ENDPOINT =
            Setting.text("S3_ENDPOINT", "http://127.0.0.1:9000", "S3-compatible endpoint of the archive, path-style");
    public static final Setting<String> S3_BUCKET =
            Setting.text("S3_BUCKET", "polyglot-archive", "Bucket that holds the archived segments");
    public static final Setting<String> S3_REGION =
            Setting.text("S3_REGION", "us-east-1", "Signing region of the archive store, always explicit");
    public static final Setting<String> AWS_ACCESS_KEY_ID =
            Setting.text("AWS_ACCESS_KEY_ID", "", "Static access key id of the archive store");
    public static final Setting<String> AWS_SECRET_ACCESS_KEY =
            Setting.secret("AWS_SECRET_ACCESS_KEY", "", "Static secret key of the archive store");
    public static final Setting<String> COMMAND_URL =
            Setting.text("COMMAND_URL", "http://127.0.0.1:8080", "Base URL of the command service's HTTP API");
    public static final Setting<String> ARCHIVER_HEALTH_URL = Setting.text(
            "ARCHIVER_HEALTH_URL", "http://127.0.0.1:8081", "Base URL of the archiver-worker's health endpoint");
    public static final Setting<String> PROJECTION_HEALTH_URL = Setting.text(
            "PROJECTION_HEALTH_URL", "http://127.0.0.1:8082", "Base URL of the projection-worker's health endpoint");
    public static final Setting<Duration> SESSION_TTL = Setting.duration(
            "SESSION_TTL", "8h", "How long a sign-in lasts; the session is forgotten after it, or at sign-out");
    public static final Setting<Duration> QUERY_TIMEOUT =
            Setting.duration("QUERY_TIMEOUT", "30s", "Longest a query of a view may run before PostgreSQL cancels it");

    public static final Setting<Boolean> OVERVIEW = Setting.flag(
            "OVERVIEW",
            true,
            "Whether the overview samples the processes, Kafka, PostgreSQL and the archive; off, it asks nobody and"
                    + " its page stays empty");
    public static final Setting<Duration> OVERVIEW_INTERVAL = Setting.duration(
            "OVERVIEW_INTERVAL",
            "2s",
            "How often the overview asks the processes, Kafka and PostgreSQL (the archive every 5th time)");

    public static final Setting<Integer> AGGREGATE_SCAN_MAX_RECORDS = Setting.integer(
            "AGGREGATE_SCAN_MAX_RECORDS",
            1_000_000,
            1,
            100_000_000,
            "Most records of its partition the events page reads to find one aggregate's events; it says when it"
                    + " stopped short");
    public static final Setting<Duration> EVENTS_READ_TIMEOUT = Setting.duration(
            "EVENTS_READ_TIMEOUT", "30s", "Longest the events pages read one partition of a topic for one request");
    public static final Setting<Duration> DEAD_LETTER_ACTION_TIMEOUT = Setting.duration(
            "DEAD_LETTER_ACTION_TIMEOUT",
            "5m",
            "Longest the dashboard waits for a worker to retry or skip a dead letter (a projection retry rebuilds"
                    + " the read model)");
    public static final Setting<String> IMPORTER_JAR = Setting.text(
            "IMPORTER_JAR",
            "",
            "Path of the importer's jar, which the Seed page runs as a child process; empty turns seeding off");
    public static final Setting<String> SEED_DIRECTORY = Setting.text(
            "SEED_DIRECTORY",
            "",
            "Folder whose event logs (*.xes, *.csv, optionally .gz) the Seed page offers; empty offers none");
    public static final Setting<Integer> SEED_UPLOAD_MAX_MB = Setting.integer(
            "SEED_UPLOAD_MAX_MB", 512, 1, 65_536, "Largest event log the Seed page accepts as an upload, in MiB");

    /** Every setting, in the order they are logged. */
    public static final List<Setting<?>> SETTINGS = List.of(
            HTTP_HOST,
            HTTP_PORT,
            DATABASE_URL,
            KAFKA_BOOTSTRAP_SERVERS,
            S3_ENDPOINT,
            S3_BUCKET,
            S3_REGION,
            AWS_ACCESS_KEY_ID,
            AWS_SECRET_ACCESS_KEY,
            COMMAND_URL,
            ARCHIVER_HEALTH_URL,
            PROJECTION_HEALTH_URL,
            SESSION_TTL,
            QUERY_TIMEOUT,
            OVERVIEW,
            OVERVIEW_INTERVAL,
            AGGREGATE_SCAN_MAX_RECORDS,
            EVENTS_READ_TIMEOUT,
            DEAD_LETTER_ACTION_TIMEOUT,
            IMPORTER_JAR,
            SEED_DIRECTORY,
            SEED_UPLOAD_MAX_MB,
            TokenAccess.POLYGLOT_TOKEN,
            TokenAccess.METRICS_OPEN);

    /**
     * Reads the settings from an environment ({@code System.getenv()} in production).
     *
     * @throws InvalidSettingException naming each bad key, its value (a secret's masked) and the reason, or when no
     *     token is set and {@code HTTP_HOST} is not a loopback address
     */
    public static DashboardConfig from(Map<String, String> env) {
        return from(Settings.load(env, SETTINGS));
    }

    /** The config of already loaded settings. */
    public static DashboardConfig from(Settings settings) {
        DatabaseUrl database = DatabaseUrl.parse(settings.get(DATABASE_URL));
        return new DashboardConfig(
                settings.get(HTTP_HOST),
                settings.get(HTTP_PORT),
                database,
                settings.get(KAFKA_BOOTSTRAP_SERVERS),
                new ArchiveLocation(
                        settings.get(S3_ENDPOINT),
                        settings.get(S3_BUCKET),
                        settings.get(S3_REGION),
                        settings.get(AWS_ACCESS_KEY_ID),
                        settings.get(AWS_SECRET_ACCESS_KEY)),
                settings.get(COMMAND_URL),
                settings.get(ARCHIVER_HEALTH_URL),
                settings.get(PROJECTION_HEALTH_URL),
                settings.get(SESSION_TTL),
                settings.get(QUERY_TIMEOUT),
                settings.get(OVERVIEW),
                settings.get(OVERVIEW_INTERVAL),
                TokenAccess.from(settings, settings.get(HTTP_HOST), LoggerFactory.getLogger(DashboardConfig.class)),
                settings.get(TokenAccess.POLYGLOT_TOKEN),
                new EventPages(
                        settings.get(AGGREGATE_SCAN_MAX_RECORDS),
                        settings.get(EVENTS_READ_TIMEOUT),
                        settings.get(DEAD_LETTER_ACTION_TIMEOUT)),
                new Operations(
                        settings.get(IMPORTER_JAR),
                        settings.get(SEED_DIRECTORY),
                        settings.get(SEED_UPLOAD_MAX_MB) * 1024L * 1024L));
    }

    /**
     * What the Seed and Sync pages need besides the URLs of the processes.
     *
     * @param importerJar the importer's jar, empty when seeding is off
     * @param seedDirectory the folder of logs the Seed page offers, empty for none
     * @param uploadMaxBytes the largest upload the Seed page accepts
     */
    public record Operations(String importerJar, String seedDirectory, long uploadMaxBytes) {

        /** The importer's jar, when seeding is on. */
        public Optional<Path> importer() {
            return importerJar.isBlank() ? Optional.empty() : Optional.of(Path.of(importerJar));
        }

        /** The seed folder, when one is configured. */
        public Optional<Path> seedFolder() {
            return seedDirectory.isBlank() ? Optional.empty() : Optional.of(Path.of(seedDirectory));
        }
    }

    /**
     * The bounds of the events and dead-letter pages.
     *
     * @param scanMaxRecords the most records of a partition one aggregate lookup reads
     * @param readTimeout the longest one read of a partition may take
     * @param actionTimeout the longest a worker may take to retry or skip a dead letter
     */
    public record EventPages(int scanMaxRecords, Duration readTimeout, Duration actionTimeout) {}

    /**
     * Where the archive is, for the overview's archive panel.
     *
     * @param endpoint the S3-compatible endpoint
     * @param bucket the archive's bucket
     * @param region the signing region, always explicit
     * @param accessKey the static access key id
     * @param secretKey the static secret key, never logged
     */
    public record ArchiveLocation(String endpoint, String bucket, String region, String accessKey, String secretKey) {
        @Override
        public String toString() {
            return "ArchiveLocation[endpoint=" + endpoint + ", bucket=" + bucket + ", region=" + region
                    + ", credentials=****]";
        }
    }

    /**
     * The stack's token, which the command service, the importer and the workers' admin routes want, when it has one.
     */
    public Optional<String> serviceBearer() {
        return serviceToken.isEmpty() ? Optional.empty() : Optional.of(serviceToken);
    }

    @Override
    public String toString() {
        return "DashboardConfig[host=" + httpHost + ", port=" + httpPort + ", database=" + database + ", kafka="
                + kafkaBootstrapServers + ", s3=" + s3 + ", access=" + access + "]";
    }
}
