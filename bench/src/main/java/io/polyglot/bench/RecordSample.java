package io.polyglot.bench;

import io.polyglot.runtime.KafkaClientConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;

/**
 * Records the pipeline itself wrote to a topic, key, value and headers byte for byte, so the raw producer sends
 * exactly what our side sent: the same record bytes, not a look-alike.
 */
final class RecordSample {
    private static final int QUIET_POLLS = 6;

    private final List<ConsumerRecord<byte[], byte[]>> records;

    private RecordSample(List<ConsumerRecord<byte[], byte[]>> records) {
        this.records = records;
    }

    /** Up to {@code most} records from the start of {@code topic}, read committed. */
    static RecordSample of(String bootstrap, String topic, int most) {
        Map<String, Object> config = KafkaClientConfig.consumer(
                bootstrap, "bench-sample-" + UUID.randomUUID(), Map.of("max.poll.records", 2_000));
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>(most);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            int quiet = 0;
            while (records.size() < most && quiet < QUIET_POLLS && !reached(consumer, ends)) {
                var polled = consumer.poll(Duration.ofMillis(500));
                quiet = polled.isEmpty() ? quiet + 1 : 0;
                for (ConsumerRecord<byte[], byte[]> record : polled) {
                    if (records.size() < most) {
                        records.add(record);
                    }
                }
            }
        }
        if (records.isEmpty()) {
            throw new StageFailedException("topic " + topic + " holds no record to replay on the raw side");
        }
        return new RecordSample(List.copyOf(records));
    }

    /** Whether every partition is read to the end it had when reading began (transaction markers included). */
    private static boolean reached(KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, Long> ends) {
        return ends.entrySet().stream().allMatch(end -> consumer.position(end.getKey()) >= end.getValue());
    }

    /** The records as read, for a stage that copies them rather than replaying them. */
    List<ConsumerRecord<byte[], byte[]>> records() {
        return records;
    }

    int size() {
        return records.size();
    }

    /** Mean bytes of key plus value. */
    double meanBytes() {
        return records.stream()
                .mapToLong(r -> (r.key() == null ? 0 : r.key().length) + r.value().length)
                .average()
                .orElse(0);
    }

    /** The {@code i}-th record (cycled) addressed to {@code topic}. */
    ProducerRecord<byte[], byte[]> record(String topic, long i) {
        ConsumerRecord<byte[], byte[]> source = records.get((int) (i % records.size()));
        List<Header> headers = new ArrayList<>();
        source.headers().forEach(headers::add);
        return new ProducerRecord<>(topic, null, source.key(), source.value(), headers);
    }
}
