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
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;

/**
 * Reads single partitions for the events pages as read-committed consumers that are assigned the partition, join no
 * group and commit nothing, so reading moves no one's offsets. A few consumers ({@value #CONSUMERS}) serve the
 * requests, each consumer one request at a time, so a slow aggregate lookup does not hold up a page read beside it
 * and the memory the consumers take stays bounded. Each read is bounded by a timeout that counts the wait for a
 * consumer too: a read that gets none in time is a {@link ReadersBusyException}. A broker that does not answer is a
 * {@link KafkaUnavailableException}.
 */
public final class TopicReader implements AutoCloseable {

    /** How many consumers read at once. */
    static final int CONSUMERS = 3;

    private static final Duration POLL = Duration.ofMillis(200);
    private static final int POLL_RECORDS = 5_000;

    private final BlockingQueue<KafkaConsumer<byte[], byte[]>> idle = new ArrayBlockingQueue<>(CONSUMERS);
    private final Duration timeout;
    private volatile boolean closed;

    /** A reader of the brokers at {@code bootstrapServers}; each read may take {@code timeout}. */
    public TopicReader(String bootstrapServers, Duration timeout) {
        this.timeout = timeout;
        Map<String, Object> overrides = new HashMap<>();
        overrides.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        overrides.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, POLL_RECORDS);
        overrides.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        overrides.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.min(timeout.toMillis(), 30_000));
        for (int i = 0; i < CONSUMERS; i++) {
            overrides.put(ConsumerConfig.CLIENT_ID_CONFIG, "dashboard-events-" + i);
            // A random group id only because the consumer config wants one: assigned partitions join no group.
            idle.add(new KafkaConsumer<>(KafkaClientConfig.consumer(
                    bootstrapServers, "polyglot-dashboard-" + UUID.randomUUID(), overrides)));
        }
    }

    /** How many partitions {@code topic} has; 0 when it does not exist. */
    public int partitions(String topic) {
        return withConsumer((consumer, deadline) -> {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, left(deadline));
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

    public Bounds bounds(TopicPartition partition) {
        return withConsumer((consumer, deadline) -> bounds(consumer, partition, deadline));
    }

    /** Up to {@code max} records from {@code from} on, below the partition's read-committed end. */
    public List<ConsumerRecord<byte[], byte[]>> read(TopicPartition partition, long from, int max) {
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
    public Scan scan(
            TopicPartition partition, long from, long maxRecords, Predicate<ConsumerRecord<byte[], byte[]>> each) {
        return withConsumer((consumer, deadline) -> {
            Bounds bounds = bounds(consumer, partition, deadline);
            long start = Math.max(from, bounds.beginning());
            consumer.assign(List.of(partition));
            consumer.seek(partition, start);
            return poll(consumer, partition, start, bounds.end(), maxRecords, each, deadline);
        });
    }

    private static Bounds bounds(KafkaConsumer<byte[], byte[]> consumer, TopicPartition partition, Instant deadline) {
        return new Bounds(
                consumer.beginningOffsets(List.of(partition), left(deadline)).get(partition),
                consumer.endOffsets(List.of(partition), left(deadline)).get(partition));
    }

    private static Scan poll(
            KafkaConsumer<byte[], byte[]> consumer,
            TopicPartition partition,
            long start,
            long end,
            long maxRecords,
            Predicate<ConsumerRecord<byte[], byte[]>> each,
            Instant deadline) {
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

    /** What is left of the read's time until {@code deadline}, never negative. */
    private static Duration left(Instant deadline) {
        Duration left = Duration.between(Instant.now(), deadline);
        return left.isNegative() ? Duration.ZERO : left;
    }

    /** A read with a consumer of its own, within the timeout from now, the wait for the consumer included. */
    private <T> T withConsumer(Read<T> read) {
        Instant deadline = Instant.now().plus(timeout);
        KafkaConsumer<byte[], byte[]> consumer;
        try {
            consumer = idle.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaUnavailableException("interrupted while waiting for a Kafka consumer", e);
        }
        if (consumer == null) {
            throw new ReadersBusyException("all " + CONSUMERS + " Kafka consumers of the events pages stayed busy for "
                    + timeout.toMillis() + " ms; try again shortly");
        }
        try {
            return read.with(consumer, deadline);
        } catch (InterruptException e) {
            Thread.currentThread().interrupt();
            throw new KafkaUnavailableException("interrupted while reading Kafka", e);
        } catch (KafkaException e) {
            throw new KafkaUnavailableException("Kafka did not answer: " + e.getMessage(), e);
        } finally {
            giveBack(consumer);
        }
    }

    private void giveBack(KafkaConsumer<byte[], byte[]> consumer) {
        // A consumer given back after close is closed by the thread that used it, never by another.
        if (closed || !idle.offer(consumer)) {
            consumer.close();
        } else if (closed && idle.remove(consumer)) {
            consumer.close();
        }
    }

    /** One read with a consumer until {@code deadline}. */
    @FunctionalInterface
    private interface Read<T> {
        T with(KafkaConsumer<byte[], byte[]> consumer, Instant deadline);
    }

    /** Closes the idle consumers; one still reading is closed as its read ends. */
    @Override
    public void close() {
        closed = true;
        for (KafkaConsumer<byte[], byte[]> consumer = idle.poll(); consumer != null; consumer = idle.poll()) {
            consumer.close();
        }
    }
}
