package io.polyglot.dashboard;

import io.polyglot.schemas.EventCodec;
import io.polyglot.schemas.EventTypes;
import io.polyglot.schemas.NewerActivityRecorded;
import io.polyglot.schemas.Topics;
import io.polyglot.schemas.avro.ActivityRecorded;
import io.polyglot.schemas.avro.EventEnvelope;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Events as the command service writes them to {@code events.all}, and the writes a test needs around them: one event
 * keyed by its aggregate id with Kafka's default partitioner, raw bytes, and a schema published to {@code schemas}.
 */
public final class SampleEvents implements AutoCloseable {

    private static final EventCodec CODEC = EventCodec.standard();

    private final KafkaProducer<byte[], byte[]> producer;

    public SampleEvents(String bootstrapServers) {
        this.producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrapServers,
                ProducerConfig.ACKS_CONFIG,
                "all",
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG,
                ByteArraySerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG,
                ByteArraySerializer.class));
    }

    /** The payload of an {@code ActivityRecorded} event named {@code activity}. */
    public static ActivityRecorded activity(String activity, Instant occurredAt) {
        return ActivityRecorded.newBuilder()
                .setActivity(activity)
                .setOccurredAt(occurredAt)
                .setAttributes(Map.of("source", "test"))
                .build();
    }

    /** An envelope of version {@code version} around {@code payload}, in single-object encoding. */
    public static byte[] envelope(String type, String id, long version, ByteBuffer payload, Instant occurredAt) {
        String commandId = UUID.randomUUID().toString();
        return CODEC.encode(EventEnvelope.newBuilder()
                .setEventId(UUID.randomUUID().toString())
                .setAggregateType(type)
                .setAggregateId(id)
                .setAggregateVersion(version)
                .setType(EventTypes.ACTIVITY_RECORDED)
                .setOccurredAt(occurredAt)
                .setRecordedAt(Instant.now())
                .setCommandId(commandId)
                .setCorrelationId(commandId)
                .setCausationId(commandId)
                .setPayload(payload)
                .build());
    }

    /** An event whose payload this build's schema writes. */
    public static byte[] event(String type, String id, long version, String activity, Instant occurredAt) {
        return envelope(type, id, version, CODEC.encodePayload(activity(activity, occurredAt)), occurredAt);
    }

    /** An event whose payload the newer schema writes, which only the {@code schemas} topic can tell. */
    public static byte[] newerEvent(String type, String id, long version, String activity, Instant occurredAt) {
        return envelope(
                type, id, version, NewerActivityRecorded.payload(activity(activity, occurredAt), "web"), occurredAt);
    }

    /** Appends {@code value} to {@code events.all} under key {@code id}, the partition chosen by Kafka's default. */
    public RecordMetadata append(String type, String id, byte[] value) throws Exception {
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(
                Topics.EVENTS_ALL,
                null,
                id.getBytes(StandardCharsets.UTF_8),
                value,
                List.of(
                        new RecordHeader(Topics.HEADER_AGGREGATE_TYPE, type.getBytes(StandardCharsets.UTF_8)),
                        new RecordHeader(
                                Topics.HEADER_EVENT_TYPE,
                                EventTypes.ACTIVITY_RECORDED.getBytes(StandardCharsets.UTF_8))));
        return producer.send(record).get();
    }

    /** Writes {@code record} as it is. */
    public RecordMetadata send(ProducerRecord<byte[], byte[]> record) throws Exception {
        return producer.send(record).get();
    }

    /** Publishes the newer payload schema to the {@code schemas} topic under its fingerprint. */
    public void publishTheNewerSchema() throws Exception {
        Map.Entry<String, String> entry = NewerActivityRecorded.catalogEntry();
        send(new ProducerRecord<>(
                Topics.SCHEMAS,
                entry.getKey().getBytes(StandardCharsets.UTF_8),
                entry.getValue().getBytes(StandardCharsets.UTF_8)));
    }

    @Override
    public void close() {
        producer.close();
    }
}
