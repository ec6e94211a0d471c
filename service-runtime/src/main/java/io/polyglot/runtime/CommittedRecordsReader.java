package io.polyglot.runtime;

import io.polyglot.schemas.EventCodec;
import io.polyglot.schemas.Topics;
import io.polyglot.schemas.UndecodableRecordException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads an event topic from the beginning to the end it has now, as a read-committed consumer, for archive
 * verification: the offset and aggregate type of each record, from its {@code aggregateType} header (else from the
 * envelope). The partitions are assigned, not subscribed, and nothing is committed, so reading joins no group and moves
 * no one's offsets. How far it has read can be asked from another thread.
 */
public final class CommittedRecordsReader {

    private static final Duration POLL = Duration.ofMillis(500);

    /** Where the records go. */
    public interface Sink {

        /** The end of {@code partition} that the read goes up to, before its first record. */
        void end(int partition, long endOffset);

        /** A committed record; {@code aggregateType} null when neither header nor envelope tells it. */
        void record(int partition, long offset, String aggregateType);
    }

    private final String bootstrapServers;
    private final Duration requestTimeout;
    private volatile long recordsRead;
    private volatile long offsetsTotal;

    /** A reader whose every request to the broker may take up to {@code requestTimeout}. */
    public CommittedRecordsReader(String bootstrapServers, Duration requestTimeout) {
        this.bootstrapServers = bootstrapServers;
        this.requestTimeout = requestTimeout;
    }

    /**
     * Reads every record of {@code topic} a read-committed consumer returns now into {@code sink}.
     *
     * @throws org.apache.kafka.common.KafkaException when the broker cannot be reached
     */
    public void read(String topic, Sink sink) {
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(config(), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, requestTimeout).stream()
                    .map(info -> new TopicPartition(info.topic(), info.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, requestTimeout);
            ends.forEach((partition, end) -> sink.end(partition.partition(), end));
            offsetsTotal = ends.values().stream().mapToLong(Long::longValue).sum();
            while (partitions.stream().anyMatch(p -> consumer.position(p, requestTimeout) < ends.get(p))) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
                    if (record.offset() < ends.get(new TopicPartition(record.topic(), record.partition()))) {
                        sink.record(record.partition(), record.offset(), aggregateTypeOf(record));
                        recordsRead++;
                    }
                }
            }
        }
    }

    /** Records read so far by the read running now. */
    public long recordsRead() {
        return recordsRead;
    }

    /** The sum of the partitions' end offsets the read goes up to; 0 until they are known. */
    public long offsetsTotal() {
        return offsetsTotal;
    }

    private Map<String, Object> config() {
        return KafkaClientConfig.consumer(
                bootstrapServers,
                "polyglot-archive-verify-" + UUID.randomUUID(),
                Map.of(
                        ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) requestTimeout.toMillis(),
                        ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) requestTimeout.toMillis(),
                        ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000));
    }

    private static String aggregateTypeOf(ConsumerRecord<byte[], byte[]> record) {
        Header header = record.headers().lastHeader(Topics.HEADER_AGGREGATE_TYPE);
        if (header != null) {
            return new String(header.value(), StandardCharsets.UTF_8);
        }
        try {
            return EventCodec.standard().decode(record.value()).getAggregateType();
        } catch (UndecodableRecordException e) {
            return null;
        }
    }
}
