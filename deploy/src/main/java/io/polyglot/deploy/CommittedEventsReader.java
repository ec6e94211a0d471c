package io.polyglot.deploy;

import io.polyglot.archive.store.CommittedEvents;
import io.polyglot.runtime.KafkaClientConfig;
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
 * Reads {@code events.all} from the beginning to the end it has now, as a read-committed consumer, for
 * {@code archive verify}: the offset and aggregate type of each record, from its {@code aggregateType} header (else
 * from the envelope). The partitions are assigned, not subscribed, and nothing is committed, so reading joins no group
 * and moves no one's offsets.
 */
final class CommittedEventsReader {

    /** How long one request to the broker may take before verification gives up: the stack is local. */
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(15);

    private static final Duration POLL = Duration.ofMillis(500);

    private final String bootstrapServers;

    CommittedEventsReader(String bootstrapServers) {
        this.bootstrapServers = bootstrapServers;
    }

    /**
     * Everything a read-committed consumer returns now.
     *
     * @throws org.apache.kafka.common.KafkaException when the broker cannot be reached
     */
    CommittedEvents read() {
        Map<String, Object> config = KafkaClientConfig.consumer(
                bootstrapServers,
                "polyglot-archive-verify-" + UUID.randomUUID(),
                Map.of(
                        ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) REQUEST_TIMEOUT.toMillis(),
                        ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) REQUEST_TIMEOUT.toMillis(),
                        ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000));
        CommittedEvents committed = new CommittedEvents();
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.EVENTS_ALL, REQUEST_TIMEOUT).stream()
                    .map(info -> new TopicPartition(info.topic(), info.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, REQUEST_TIMEOUT);
            ends.forEach((partition, end) -> committed.readUpTo(partition.partition(), end));
            while (partitions.stream().anyMatch(p -> consumer.position(p, REQUEST_TIMEOUT) < ends.get(p))) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
                    if (record.offset() < ends.get(new TopicPartition(record.topic(), record.partition()))) {
                        committed.add(record.partition(), record.offset(), aggregateTypeOf(record));
                    }
                }
            }
        }
        return committed;
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
