package io.polyglot.runtime;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;

/**
 * Reads a whole topic from its beginning to the end offsets it has when the read starts, as a read-committed consumer
 * that is assigned every partition, joins no group and commits nothing, so reading moves no one's offsets. For small
 * topics that a process reads whole now and then: {@code schemas}, {@code events.dlq}.
 */
public final class TopicSnapshot {

    private static final Duration POLL = Duration.ofMillis(200);

    private TopicSnapshot() {}

    /**
     * Hands every record below the end offsets to {@code each}, partition by partition in offset order; a topic that
     * does not exist has no records (it is not created).
     *
     * @param timeout how long the whole read may take
     * @return how many records it handed over
     * @throws org.apache.kafka.common.KafkaException when the topic cannot be read to its end within {@code timeout}
     *     (a {@link TimeoutException} when time ran out)
     */
    public static int read(
            String bootstrapServers,
            String topic,
            Map<String, Object> consumerOverrides,
            Duration timeout,
            Consumer<ConsumerRecord<byte[], byte[]>> each) {
        Instant deadline = Instant.now().plus(timeout);
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(config(bootstrapServers, consumerOverrides, timeout))) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, timeout).stream()
                    .map(info -> new TopicPartition(info.topic(), info.partition()))
                    .toList();
            if (partitions.isEmpty()) {
                return 0;
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = new HashMap<>(consumer.endOffsets(partitions, timeout));
            int read = 0;
            while (!readToEnd(consumer, ends, topic, timeout, deadline)) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
                    Long end = ends.get(new TopicPartition(record.topic(), record.partition()));
                    if (end != null && record.offset() < end) {
                        each.accept(record);
                        read++;
                    }
                }
            }
            return read;
        }
    }

    private static boolean readToEnd(
            KafkaConsumer<byte[], byte[]> consumer,
            Map<TopicPartition, Long> ends,
            String topic,
            Duration timeout,
            Instant deadline) {
        Duration left = Duration.between(Instant.now(), deadline);
        if (left.isNegative() || left.isZero()) {
            throw new TimeoutException(topic + " was not read to its end within " + timeout);
        }
        return ends.entrySet().stream().allMatch(end -> consumer.position(end.getKey(), left) >= end.getValue());
    }

    private static Map<String, Object> config(
            String bootstrapServers, Map<String, Object> overrides, Duration timeout) {
        Map<String, Object> tuned = new HashMap<>(overrides);
        tuned.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        tuned.putIfAbsent(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        tuned.putIfAbsent(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        // A random group id only because the consumer config wants one: assigned partitions join no group.
        return KafkaClientConfig.consumer(bootstrapServers, "polyglot-topic-snapshot-" + UUID.randomUUID(), tuned);
    }
}
