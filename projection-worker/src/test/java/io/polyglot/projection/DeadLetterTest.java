package io.polyglot.projection;

import static io.polyglot.projection.TestWorkers.PROJECTED_WITHIN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.polyglot.projection.TestWorkers.Running;
import io.polyglot.runtime.deadletter.DeadLetter;
import io.polyglot.runtime.deadletter.DeadLetterReader;
import io.polyglot.runtime.deadletter.DeadLetterSource;
import io.polyglot.schemas.NewerActivityRecorded;
import io.polyglot.schemas.avro.ActivityRecorded;
import io.polyglot.schemas.avro.EventEnvelope;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/** A record the projection cannot decode goes to the dead letters, and the worker moves on. */
class DeadLetterTest extends WorkersOnKafkaAndPostgres {

    @Test
    void anUndecodableRecordBetweenTwoGoodOnesGoesToTheDeadLettersOnceAndBothGoodOnesAreApplied() throws Exception {
        // given partition 0 holds an event, a record that is no envelope, and the next event of the same application
        List<SyntheticLog.Entry> events = submittedThenAccepted("Application_7", "2011-10-01T09:00:00Z", "5000");
        SyntheticLog.Entry submitted = events.get(0);
        SyntheticLog.Entry accepted = events.get(1);
        workers.send(0, "Application_7", Envelopes.encode(submitted));
        workers.send(0, "Application_7", "{not an envelope}".getBytes(StandardCharsets.UTF_8));
        workers.send(0, "Application_7", Envelopes.encode(accepted));

        // when
        Running worker = workers.start(10);

        // then both good ones are applied, the bad one is a dead letter of this group once, and the lag is back to 0
        workers.awaitViewsEqualTheFoldOf(SyntheticLog.of(List.of(submitted, accepted)));
        DeadLetterReader reader = new DeadLetterReader(
                servers.bootstrapServers(), workers.deadLetterTopic(), Duration.ofSeconds(30), Map.of());
        List<DeadLetter> letters = reader.readAll();
        assertThat(letters)
                .extracting(DeadLetter::source, DeadLetter::group)
                .containsExactly(org.assertj.core.api.Assertions.tuple(
                        new DeadLetterSource(workers.topic(), 0, 1), workers.group()));
        assertThat(letters.get(0).value()).isEqualTo("{not an envelope}".getBytes(StandardCharsets.UTF_8));
        assertThat(worker.registry()
                        .get("polyglot.projection.dead.letters")
                        .tag("reason", "undecodable")
                        .counter()
                        .count())
                .isEqualTo(1.0);
        awaitNoLagOnPartitionZero(worker);
        assertThat(workers.storedOffsets()).containsEntry(0, 3L);
    }

    @Test
    void aNewerWritersEventIsAppliedFieldByFieldOnceItsSchemaIsInTheSchemasTopicAndAnUnknownOneIsADeadLetter()
            throws Exception {
        // given the newer writer schema of ActivityRecorded (fields reordered, one optional field added) published to
        // the schemas topic, and on partition 0: an event written with it, an event naming a schema found nowhere,
        // and the next event of the same application written with this build's schema
        Map.Entry<String, String> schema = NewerActivityRecorded.catalogEntry();
        SchemasTopic.publish(servers.bootstrapServers(), servers.admin(), schema.getKey(), schema.getValue());
        List<SyntheticLog.Entry> events = submittedThenAccepted("Application_8", "2011-10-02T09:00:00Z", "6000");
        SyntheticLog.Entry submitted = events.get(0);
        SyntheticLog.Entry accepted = events.get(1);
        workers.send(
                0,
                "Application_8",
                withPayload(submitted, NewerActivityRecorded.payload(activityOf(submitted), "web")));
        workers.send(0, "Application_8", withPayload(accepted, unknownSchemaPayload()));
        workers.send(0, "Application_8", Envelopes.encode(accepted));

        // when
        workers.start(10);

        // then the newer writer's event counts with its activity, time and amount in their columns, and only the
        // event of the unknown schema is a dead letter
        workers.awaitViewsEqualTheFoldOf(SyntheticLog.of(List.of(submitted, accepted)));
        List<DeadLetter> letters = new DeadLetterReader(
                        servers.bootstrapServers(), workers.deadLetterTopic(), Duration.ofSeconds(30), Map.of())
                .readAll();
        assertThat(letters).extracting(DeadLetter::source).containsExactly(new DeadLetterSource(workers.topic(), 0, 1));
        assertThat(letters.get(0).errorClass()).contains("UnknownSchemaException");
    }

    @Test
    void theLagIsBackToZeroWhenThePartitionEndsWithATransactionMarker() throws Exception {
        // given two events written in one transaction, as the decider writes them: the partition ends with its marker
        List<SyntheticLog.Entry> events = submittedThenAccepted("Application_9", "2011-10-03T09:00:00Z", "7000");
        SyntheticLog.Entry submitted = events.get(0);
        SyntheticLog.Entry accepted = events.get(1);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(
                Map.of(
                        "bootstrap.servers",
                        servers.bootstrapServers(),
                        "transactional.id",
                        "lag-test-" + UUID.randomUUID()),
                new ByteArraySerializer(),
                new ByteArraySerializer())) {
            producer.initTransactions();
            producer.beginTransaction();
            for (SyntheticLog.Entry entry : List.of(submitted, accepted)) {
                producer.send(new ProducerRecord<>(
                        workers.topic(), 0, "Application_9".getBytes(StandardCharsets.UTF_8), Envelopes.encode(entry)));
            }
            producer.commitTransaction();
        }

        // when
        Running worker = workers.start(10);

        // then both are applied, the stored offset is past the last event, and the lag counts no marker as a record
        workers.awaitViewsEqualTheFoldOf(SyntheticLog.of(List.of(submitted, accepted)));
        assertThat(workers.storedOffsets()).containsEntry(0, 2L);
        awaitNoLagOnPartitionZero(worker);
    }

    /** An application's A_SUBMITTED with an amount and its A_ACCEPTED a minute later. */
    private static List<SyntheticLog.Entry> submittedThenAccepted(String application, String at, String amount) {
        Instant submittedAt = Instant.parse(at);
        return List.of(
                new SyntheticLog.Entry(
                        "LoanApplication",
                        application,
                        "A_SUBMITTED",
                        "COMPLETE",
                        submittedAt,
                        Map.of("AMOUNT_REQ", amount)),
                new SyntheticLog.Entry(
                        "LoanApplication",
                        application,
                        "A_ACCEPTED",
                        "COMPLETE",
                        submittedAt.plusSeconds(60),
                        Map.of()));
    }

    private static void awaitNoLagOnPartitionZero(Running worker) {
        await().atMost(PROJECTED_WITHIN)
                .untilAsserted(() -> assertThat(worker.registry()
                                .get("polyglot.consumer.lag")
                                .tag("partition", "0")
                                .gauge()
                                .value())
                        .isZero());
    }

    private static ActivityRecorded activityOf(SyntheticLog.Entry entry) {
        return (ActivityRecorded) Envelopes.CODEC.decodePayload(
                Envelopes.CODEC.decode(Envelopes.encode(entry)).getPayload());
    }

    private static byte[] withPayload(SyntheticLog.Entry entry, ByteBuffer payload) {
        EventEnvelope envelope = Envelopes.CODEC.decode(Envelopes.encode(entry));
        envelope.setPayload(payload);
        return Envelopes.CODEC.encode(envelope);
    }

    /** A payload naming a schema that neither this build nor the schemas topic has. */
    private static ByteBuffer unknownSchemaPayload() {
        ByteBuffer bytes = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
        bytes.put((byte) 0xC3)
                .put((byte) 0x01)
                .putLong(0x0bad_5c4e_3a00_0001L)
                .put((byte) 2)
                .put((byte) 'x');
        return bytes.flip();
    }
}
