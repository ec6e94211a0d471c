package io.polyglot.chaos;

import io.polyglot.runtime.DatabaseUrl;
import io.polyglot.schemas.Topics;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Bounded waits until the pipeline has caught up with the topic: the projection's stored next offsets (committed with
 * the views) past each partition's last record, and the archiver's committed offsets (it commits only what is
 * stored) at each partition's end.
 */
final class CatchUp {
    private static final Duration POLL = Duration.ofSeconds(1);

    private CatchUp() {}

    /**
     * Waits up to {@code bound} for the projection; answers the partitions still behind (empty when caught up).
     *
     * @param pastLastRecord per partition, the offset after its last record
     */
    static Map<Integer, String> projection(String databaseUrl, Map<Integer, Long> pastLastRecord, Duration bound)
            throws InterruptedException {
        long deadline = System.nanoTime() + bound.toNanos();
        Map<Integer, String> behind = new LinkedHashMap<>();
        while (true) {
            behind.clear();
            Map<Integer, Long> applied;
            try {
                applied = projectionOffsets(databaseUrl);
            } catch (SQLException e) {
                applied = Map.of();
                behind.put(-1, "database unreadable: " + e.getMessage());
            }
            for (Map.Entry<Integer, Long> last : pastLastRecord.entrySet()) {
                long at = applied.getOrDefault(last.getKey(), 0L);
                if (at < last.getValue()) {
                    behind.put(last.getKey(), "applied up to " + at + " of " + last.getValue());
                }
            }
            if (behind.isEmpty() || System.nanoTime() > deadline) {
                return behind;
            }
            Thread.sleep(POLL.toMillis());
        }
    }

    /** Waits up to {@code bound} for the archiver; answers the partitions still behind (empty when caught up). */
    static Map<Integer, String> archiver(String bootstrapServers, String group, Duration bound)
            throws InterruptedException {
        long deadline = System.nanoTime() + bound.toNanos();
        Map<Integer, String> behind = new LinkedHashMap<>();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            while (true) {
                behind.clear();
                try {
                    Map<TopicPartition, Long> ends = endOffsets(admin);
                    Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                            .partitionsToOffsetAndMetadata()
                            .get(30, TimeUnit.SECONDS);
                    ends.forEach((partition, end) -> {
                        OffsetAndMetadata done = committed.get(partition);
                        long at = done == null ? 0 : done.offset();
                        if (end > 0 && at < end) {
                            behind.put(partition.partition(), "committed " + at + " of " + end);
                        }
                    });
                } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                    behind.put(-1, "Kafka unreadable: " + e.getMessage());
                }
                if (behind.isEmpty() || System.nanoTime() > deadline) {
                    return behind;
                }
                Thread.sleep(POLL.toMillis());
            }
        }
    }

    /** The latest offset of every partition of the topic: past its last record and transaction marker. */
    private static Map<TopicPartition, Long> endOffsets(Admin admin)
            throws java.util.concurrent.ExecutionException, java.util.concurrent.TimeoutException,
                    InterruptedException {
        Map<TopicPartition, OffsetSpec> latest = admin
                .describeTopics(List.of(Topics.EVENTS_ALL))
                .topicNameValues()
                .get(Topics.EVENTS_ALL)
                .get(30, TimeUnit.SECONDS)
                .partitions()
                .stream()
                .collect(Collectors.toMap(
                        info -> new TopicPartition(Topics.EVENTS_ALL, info.partition()), info -> OffsetSpec.latest()));
        Map<TopicPartition, Long> ends = new HashMap<>();
        admin.listOffsets(latest)
                .all()
                .get(30, TimeUnit.SECONDS)
                .forEach((partition, info) -> ends.put(partition, info.offset()));
        return ends;
    }

    private static Map<Integer, Long> projectionOffsets(String databaseUrl) throws SQLException {
        DatabaseUrl url = DatabaseUrl.parse(databaseUrl);
        Map<Integer, Long> applied = new HashMap<>();
        try (Connection connection = DriverManager.getConnection(url.jdbcUrl(), url.user(), url.password());
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("SELECT partition, next_offset FROM"
                        + " projection.projection_offsets WHERE consumer_group = 'polyglot-projection'"
                        + " AND topic = 'events.all'")) {
            while (rows.next()) {
                applied.put(rows.getInt(1), rows.getLong(2));
            }
        }
        return applied;
    }
}
