package io.polyglot.dashboard.overview;

import io.polyglot.archive.store.ArchiveStore;
import io.polyglot.archive.store.ArchiveStoreConfig;
import io.polyglot.dashboard.DashboardConfig;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;
import javax.sql.DataSource;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** Builds the overview's sampler from the dashboard's settings: the processes, Kafka, PostgreSQL and the archive. */
public final class Overview {

    /** How much history the charts show. */
    static final Duration WINDOW = Duration.ofMinutes(5);

    private Overview() {}

    /**
     * A sampler, started, reading every {@code config.overviewInterval()}; the dashboard's own readiness is {@code
     * selfReady}, shown with {@code selfUrl}.
     */
    public static OverviewSampler start(
            DashboardConfig config, String selfUrl, BooleanSupplier selfReady, DataSource database, Clock clock) {
        Map<String, String> processes = new LinkedHashMap<>();
        processes.put("command-service", config.commandUrl());
        processes.put("archiver-worker", config.archiverHealthUrl());
        processes.put("projection-worker", config.projectionHealthUrl());
        OverviewSampler sampler = new OverviewSampler(
                new ProcessProbe(processes, "dashboard", selfUrl, selfReady),
                () -> new ConsumerLag(admin(config), probe(config.kafkaBootstrapServers()), database, clock),
                archive(config),
                clock,
                WINDOW);
        sampler.start(config.overviewInterval());
        return sampler;
    }

    private static Admin admin(DashboardConfig config) {
        return Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                config.kafkaBootstrapServers(),
                AdminClientConfig.CLIENT_ID_CONFIG,
                "dashboard-admin",
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                10_000,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG,
                5_000));
    }

    /** A consumer of no group that only reads small gaps, as the groups do: committed records only. */
    static KafkaConsumer<byte[], byte[]> probe(String bootstrapServers) {
        return new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrapServers,
                ConsumerConfig.CLIENT_ID_CONFIG,
                "dashboard-lag-probe",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                false,
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
                ByteArrayDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                ByteArrayDeserializer.class));
    }

    private static ArchiveSummary archive(DashboardConfig config) {
        DashboardConfig.ArchiveLocation s3 = config.s3();
        if (s3.accessKey().isEmpty() || s3.secretKey().isEmpty()) {
            return new ArchiveSummary(null);
        }
        return new ArchiveSummary(new ArchiveStore(new ArchiveStoreConfig(
                URI.create(s3.endpoint()), s3.bucket(), s3.region(), s3.accessKey(), s3.secretKey(), false)));
    }
}
