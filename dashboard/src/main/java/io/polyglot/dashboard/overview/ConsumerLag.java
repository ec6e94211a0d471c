package io.polyglot.dashboard.overview;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;

/**
 * How far each consumer group of {@code events.all} is behind, per partition: the archiver's offsets as committed to
 * Kafka, the projection's as stored with its views in {@code projection.projection_offsets}, each against the
 * partition's read-committed end. A transaction's commit marker takes an offset but holds no record, so a small gap is
 * read with a read-committed consumer and only records count: a group that applied everything has lag 0. For the
 * projection the age of the last applied event is its record time ({@code recordedAt}) against the clock.
 *
 * <p>Not thread-safe: one sampler thread uses it.
 */
final class ConsumerLag implements AutoCloseable {

    static final String TOPIC = "events.all";
    static final String ARCHIVER_GROUP = "polyglot-archiver";
    static final String PROJECTION_GROUP = "polyglot-projection";

    /** Gaps up to this many offsets are read to tell records from commit markers; larger ones count whole. */
    private static final long PROBED_GAP = 256;

    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static final String STORED_OFFSETS = "SELECT partition, next_offset FROM projection.projection_offsets"
            + " WHERE consumer_group = ? AND topic = ?";

    private final Admin admin;
    private final KafkaConsumer<byte[], byte[]> probe;
    private final DataSource database;
    private final Clock clock;
    private final Map<TopicPartition, Instant> lastAppliedTimes = new HashMap<>();
    private final Map<TopicPartition, Long> lastAppliedOffsets = new HashMap<>();

    ConsumerLag(Admin admin, KafkaConsumer<byte[], byte[]> probe, DataSource database, Clock clock) {
        this.admin = admin;
        this.probe = probe;
        this.database = database;
        this.clock = clock;
    }

    /**
     * One partition of one group.
     *
     * @param group the consumer group
     * @param partition the partition of {@code events.all}
     * @param committed the group's next offset, 0 when it has none
     * @param end the partition's read-committed end offset
     * @param lag records between them
     * @param lastAppliedAgeSeconds seconds since the last applied event was recorded; null when unknown
     */
    record PartitionLag(
            String group, int partition, long committed, long end, long lag, Double lastAppliedAgeSeconds) {}

    /**
     * The lag of both groups, and the end offsets of every partition.
     *
     * @param partitions each group's partitions, the archiver's first
     * @param endOffsets each partition's read-committed end
     */
    record Snapshot(List<PartitionLag> partitions, Map<Integer, Long> endOffsets) {}

    Snapshot read() throws Exception {
        Map<TopicPartition, Long> ends = endOffsets();
        List<PartitionLag> lags = new ArrayList<>();
        Map<TopicPartition, Long> archiver = kafkaCommitted(ARCHIVER_GROUP);
        Map<TopicPartition, Long> projection = storedOffsets(PROJECTION_GROUP);
        for (TopicPartition partition : ends.keySet()) {
            long end = ends.get(partition);
            long archived = archiver.getOrDefault(partition, 0L);
            lags.add(new PartitionLag(
                    ARCHIVER_GROUP, partition.partition(), archived, end, records(partition, archived, end), null));
        }
        for (TopicPartition partition : ends.keySet()) {
            long end = ends.get(partition);
            long applied = projection.getOrDefault(partition, 0L);
            lags.add(new PartitionLag(
                    PROJECTION_GROUP,
                    partition.partition(),
                    applied,
                    end,
                    records(partition, applied, end),
                    age(partition, applied)));
        }
        Map<Integer, Long> byNumber = new TreeMap<>();
        ends.forEach((partition, end) -> byNumber.put(partition.partition(), end));
        return new Snapshot(List.copyOf(lags), byNumber);
    }

    private Map<TopicPartition, Long> endOffsets() throws Exception {
        List<TopicPartitionInfo> infos = admin.describeTopics(Set.of(TOPIC))
                .allTopicNames()
                .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                .get(TOPIC)
                .partitions();
        Map<TopicPartition, OffsetSpec> latest = infos.stream()
                .collect(Collectors.toMap(
                        info -> new TopicPartition(TOPIC, info.partition()), info -> OffsetSpec.latest()));
        Map<TopicPartition, Long> ends = new TreeMap<>((a, b) -> Integer.compare(a.partition(), b.partition()));
        admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED))
                .all()
                .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                .forEach((partition, info) -> ends.put(partition, info.offset()));
        return ends;
    }

    private Map<TopicPartition, Long> kafkaCommitted(String group)
            throws InterruptedException, ExecutionException, TimeoutException {
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata()
                .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        Map<TopicPartition, Long> offsets = new HashMap<>();
        committed.forEach((partition, offset) -> {
            if (offset != null && partition.topic().equals(TOPIC)) {
                offsets.put(partition, offset.offset());
            }
        });
        return offsets;
    }

    private Map<TopicPartition, Long> storedOffsets(String group) throws SQLException {
        Map<TopicPartition, Long> offsets = new HashMap<>();
        try (Connection connection = database.getConnection();
                PreparedStatement statement = connection.prepareStatement(STORED_OFFSETS)) {
            statement.setString(1, group);
            statement.setString(2, TOPIC);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    offsets.put(new TopicPartition(TOPIC, rows.getInt(1)), rows.getLong(2));
                }
            }
        }
        return offsets;
    }

    /** The records in {@code [from, end)}: read when the gap is small, so commit markers do not count. */
    private long records(TopicPartition partition, long from, long end) {
        long gap = Math.max(0, end - from);
        if (gap == 0 || gap > PROBED_GAP) {
            return gap;
        }
        probe.assign(List.of(partition));
        probe.seek(partition, from);
        long records = 0;
        Instant deadline = clock.instant().plus(TIMEOUT);
        while (probe.position(partition) < end && clock.instant().isBefore(deadline)) {
            for (ConsumerRecord<byte[], byte[]> record : probe.poll(Duration.ofMillis(200))) {
                if (record.offset() < end) {
                    records++;
                }
            }
        }
        return probe.position(partition) >= end ? records : gap;
    }

    /** Seconds since the record before {@code next} was recorded; it is read once per offset. */
    private Double age(TopicPartition partition, long next) {
        if (next == 0) {
            return null;
        }
        if (!Long.valueOf(next).equals(lastAppliedOffsets.get(partition))) {
            probe.assign(List.of(partition));
            probe.seek(partition, next - 1);
            Instant deadline = clock.instant().plus(TIMEOUT);
            while (clock.instant().isBefore(deadline)) {
                List<ConsumerRecord<byte[], byte[]>> records =
                        probe.poll(Duration.ofMillis(200)).records(partition);
                if (!records.isEmpty()) {
                    lastAppliedTimes.put(
                            partition, Instant.ofEpochMilli(records.get(0).timestamp()));
                    lastAppliedOffsets.put(partition, next);
                    break;
                }
            }
        }
        Instant recorded = lastAppliedTimes.get(partition);
        return recorded == null
                ? null
                : Duration.between(recorded, clock.instant()).toMillis() / 1000.0;
    }

    @Override
    public void close() {
        probe.close();
        admin.close();
    }
}
