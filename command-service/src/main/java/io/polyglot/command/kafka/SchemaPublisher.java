package io.polyglot.command.kafka;

import io.polyglot.runtime.KafkaUnavailableException;
import io.polyglot.schemas.KnownSchemas;
import io.polyglot.schemas.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.avro.Schema;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes the schemas a writer uses to the compacted {@code schemas} topic (key: fingerprint as 16 lower-case hex
 * digits; value: the schema's JSON) before the writer uses them, so that an older reader meeting a newer fingerprint
 * can look it up.
 */
public final class SchemaPublisher {

    private static final Logger log = LoggerFactory.getLogger(SchemaPublisher.class);

    private final Producer<byte[], byte[]> producer;
    private final String topic;

    public SchemaPublisher(Producer<byte[], byte[]> producer, String topic) {
        this.producer = producer;
        this.topic = topic;
    }

    /** A publisher to {@link Topics#SCHEMAS}. */
    public static SchemaPublisher schemasTopic(Producer<byte[], byte[]> producer) {
        return new SchemaPublisher(producer, Topics.SCHEMAS);
    }

    /**
     * Publishes every schema, again each time Kafka does not acknowledge them within {@code attempt}, until
     * {@code bound} has passed. Publishing again is harmless: the topic is compacted and keyed by fingerprint.
     *
     * @throws KafkaUnavailableException when the last attempt within {@code bound} failed too
     */
    public void publishWithin(Collection<Schema> schemas, Duration attempt, Duration bound) {
        long deadline = System.nanoTime() + bound.toNanos();
        while (true) {
            try {
                publish(schemas, attempt);
                return;
            } catch (KafkaUnavailableException e) {
                if (System.nanoTime() - deadline >= 0 || Thread.currentThread().isInterrupted()) {
                    throw e;
                }
                log.warn("Schemas not acknowledged yet; publishing again (topic={}): {}", topic, e.getMessage());
            }
        }
    }

    /**
     * Publishes every schema and waits until Kafka has acknowledged all of them.
     *
     * @throws KafkaUnavailableException when they are not acknowledged within {@code timeout}
     */
    public void publish(Collection<Schema> schemas, Duration timeout) {
        List<Future<RecordMetadata>> acks = new ArrayList<>();
        for (Schema schema : schemas) {
            String key = KnownSchemas.hex(KnownSchemas.fingerprint(schema));
            acks.add(producer.send(new ProducerRecord<>(
                    topic,
                    key.getBytes(StandardCharsets.UTF_8),
                    schema.toString().getBytes(StandardCharsets.UTF_8))));
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            for (Future<RecordMetadata> ack : acks) {
                ack.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            }
        } catch (ExecutionException e) {
            throw new KafkaUnavailableException("Kafka did not take the schemas", e.getCause());
        } catch (TimeoutException e) {
            throw new KafkaUnavailableException("Kafka did not acknowledge the schemas within " + timeout, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaUnavailableException("interrupted while publishing schemas", e);
        }
        log.info("Schemas published (topic={}, count={})", topic, schemas.size());
    }
}
