package io.polyglot.dashboard.events;

import io.polyglot.runtime.KafkaClientConfig;
import io.polyglot.runtime.KafkaUnavailableException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;

/**
 * Reads single partitions for the events pages as a read-committed consumer that is assigned the partition, joins no
 * group and commits nothing, so reading moves no one's offsets. One consumer serves every request, one at a time;
 * each read is bounded by a timeout. A broker that does not answer is a {@link KafkaUnavailableException}.
 */
public final class TopicReader implements AutoCloseable {

    private static final Duration POLL = Duration.ofMillis(200);
    private static final int POLL_RECORDS = 5_000;

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Duration timeout;

    /** A reader of the brokers at {@code bootstrapServers}; each read may take {@code timeout}. */
    public TopicReader(String bootstrapServers, Duration timeout) {
        this.timeout = timeout;
        Map<String, Object> overrides = new HashMap<>();
        overrides.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        overrides.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, POLL_RECORDS);
        overrides.put(ConsumerConfig.CLIENT_ID_CONFIG, "dashboard-events");
        overrides.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        overrides.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.min(timeout.toMillis(), 30_000));
        // A random group id only because the consumer config wants one: assigned partitions join no group.
        this.consumer = new KafkaConsumer<>(
                KafkaClientConfig.consumer(bootstrapServers, "polyglot-dashboard-" + UUID.randomUUID(), overrides));
    }

    /** How many partitions {@code topic} has; 0 when it does not exist. */
    public synchronized int partitions(String topic) {
        return kafka(() -> {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, timeout);
            return infos == null ? 0 : infos.size();
        });
    }

    /**
     * The first offset and the read-committed end of a partition.
     *
     * @param beginning the first offset still in the log
     * @param end the last stable offset: nothing at or after it is read
     */
    public record Bounds(long beginning, long end) {}

    public synchronized Bounds bounds(TopicPartition partition) {
        return kafka(() -> new Bounds(
                consumer.beginningOffsets(List.of(partition), timeout).get(partition),
                consumer.endOffsets(List.of(partition), timeout).get(partition)));
    }

    /** Up to {@code max} records from {@code from} on, below the partition's read-committed end. */
    public synchronized List<ConsumerRecord<byte[], byte[]>> read(TopicPartition partition, long from, int max) {
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        scan(partition, from, max, record -> {
            records.add(record);
            return records.size() < max;
        });
        return records;
    }

    /**
     * What a scan of a partition saw.
     *
     * @param from the first offset read
     * @param next the offset after the last one read
     * @param end the partition's read-committed end when the scan started
     * @param records how many records it read
     * @param complete whether it read up to the end
     */
    public record Scan(long from, long next, long end, long records, boolean complete) {}

    /**
     * Hands the records of a partition from {@code from} to its read-committed end to {@code each}, in offset order,
     * until {@code each} answers false, {@code maxRecords} were read or the timeout is over.
     */
    public synchronized Scan scan(
            TopicPartition partition, long from, long maxRecords, Predicate<ConsumerRecord<byte[], byte[]>> each) {
        return kafka(() -> {
            Bounds bounds = bounds(partition);
            long start = Math.max(from, bounds.beginning());
            consumer.assign(List.of(partition));
            consumer.seek(partition, start);
            return poll(partition, start, bounds.end(), maxRecords, each);
        });
    }

    private Scan poll(
            TopicPartition partition,
            long start,
            long end,
            long maxRecords,
            Predicate<ConsumerRecord<byte[], byte[]>> each) {
        Instant deadline = Instant.now().plus(timeout);
        long read = 0;
        long next = start;
        boolean wanted = true;
        while (wanted && next < end && read < maxRecords && Instant.now().isBefore(deadline)) {
            for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL).records(partition)) {
                if (!wanted || record.offset() >= end || read >= maxRecords) {
                    break;
                }
                read++;
                next = record.offset() + 1;
                wanted = each.test(record);
            }
            // A commit marker holds an offset but no record: the position moves past it all the same.
            next = wanted && read < maxRecords ? Math.max(next, Math.min(consumer.position(partition), end)) : next;
        }
        return new Scan(start, next, end, read, next >= end);
    }

    private <T> T kafka(Supplier<T> read) {
        try {
            return read.get();
        } catch (InterruptException e) {
            Thread.currentThread().interrupt();
            throw new KafkaUnavailableException("interrupted while reading Kafka", e);
        } catch (KafkaException e) {
            throw new KafkaUnavailableException("Kafka did not answer: " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void close() {
        consumer.close();
    }
}
