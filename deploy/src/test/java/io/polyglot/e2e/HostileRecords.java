package io.polyglot.e2e;

import io.polyglot.runtime.KafkaClientConfig;
import io.polyglot.schemas.EventCodec;
import io.polyglot.schemas.KnownSchemas;
import io.polyglot.schemas.Limits;
import io.polyglot.schemas.Topics;
import io.polyglot.schemas.avro.ActivityRecorded;
import io.polyglot.schemas.avro.EventEnvelope;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * Records no command service writes, put on {@code events.all} directly, as a broken or hostile producer would: each
 * worker must send each to {@code events.dlq} once for its group and carry on.
 */
final class HostileRecords {

    /** Where a record landed. */
    record Placed(int partition, long offset) {}

    private static final long UNKNOWN_FINGERPRINT = 0x5eed_0bad_f00d_1234L;

    private HostileRecords() {}

    /** Produces one record of each kind; the offsets they got, by kind, in the order produced. */
    static Map<String, Placed> produce(String bootstrapServers) throws ExecutionException, InterruptedException {
        Map<String, byte[]> values = new LinkedHashMap<>();
        values.put("garbage bytes", "this is not an event".getBytes(StandardCharsets.UTF_8));
        // A projected type, so the projection worker has to read the payload too.
        values.put(
                "unknown payload schema", EventCodec.standard().encode(envelope("LoanApplication", unknownPayload())));
        values.put("invalid payload", EventCodec.standard().encode(envelope("LoanApplication", invalidPayload())));
        values.put(
                "aggregate type breaking the name rules",
                EventCodec.standard().encode(envelope("../Hostile Type", validPayload())));
        Map<String, Placed> placed = new LinkedHashMap<>();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(
                KafkaClientConfig.producer(bootstrapServers, Limits.DEFAULT_COMMAND_MAX_BYTES, Map.of()))) {
            int n = 0;
            for (Map.Entry<String, byte[]> value : values.entrySet()) {
                ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(
                        Topics.EVENTS_ALL, ("hostile-" + n++).getBytes(StandardCharsets.UTF_8), value.getValue());
                record.headers().add(Topics.HEADER_AGGREGATE_TYPE, "LoanApplication".getBytes(StandardCharsets.UTF_8));
                record.headers().add(Topics.HEADER_EVENT_TYPE, "ActivityRecorded".getBytes(StandardCharsets.UTF_8));
                RecordMetadata metadata = producer.send(record).get();
                placed.put(value.getKey(), new Placed(metadata.partition(), metadata.offset()));
            }
        }
        return placed;
    }

    private static EventEnvelope envelope(String aggregateType, ByteBuffer payload) {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        String id = UUID.randomUUID().toString();
        return EventEnvelope.newBuilder()
                .setEventId(id)
                .setAggregateType(aggregateType)
                .setAggregateId("hostile-application")
                .setAggregateVersion(1)
                .setType("ActivityRecorded")
                .setOccurredAt(now)
                .setRecordedAt(now)
                .setCommandId(id)
                .setCorrelationId(id)
                .setCausationId(id)
                .setPayload(payload)
                .build();
    }

    private static ByteBuffer validPayload() {
        return EventCodec.standard()
                .encodePayload(ActivityRecorded.newBuilder()
                        .setActivity("HOSTILE")
                        .setOccurredAt(Instant.now().truncatedTo(ChronoUnit.MICROS))
                        .setAttributes(Map.of())
                        .build());
    }

    /** A payload in single-object encoding whose fingerprint no schema has, in this build or in the topic. */
    private static ByteBuffer unknownPayload() {
        return singleObject(UNKNOWN_FINGERPRINT, new byte[] {2, 'x'});
    }

    /** A payload that names the build's payload schema but whose body breaks it. */
    private static ByteBuffer invalidPayload() {
        long known = KnownSchemas.fingerprint(ActivityRecorded.getClassSchema());
        return singleObject(known, new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF});
    }

    private static ByteBuffer singleObject(long fingerprint, byte[] body) {
        ByteBuffer bytes = ByteBuffer.allocate(10 + body.length).order(ByteOrder.LITTLE_ENDIAN);
        bytes.put((byte) 0xC3).put((byte) 0x01).putLong(fingerprint).put(body);
        bytes.flip();
        return bytes;
    }
}
