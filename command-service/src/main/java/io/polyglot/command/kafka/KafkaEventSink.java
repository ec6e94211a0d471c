package io.polyglot.command.kafka;

import io.polyglot.command.intake.EventRefusedException;
import io.polyglot.command.intake.EventSink;
import io.polyglot.runtime.KafkaUnavailableException;
import io.polyglot.schemas.EventCodec;
import io.polyglot.schemas.Topics;
import io.polyglot.schemas.avro.EventEnvelope;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Produces events to {@code events.all}: key the aggregate id in UTF-8 (so each aggregate stays in one partition, in
 * order), value the envelope in single-object encoding, headers {@code aggregateType} and {@code eventType}, and the
 * record timestamp {@code recordedAt}, never the business time.
 */
public final class KafkaEventSink implements EventSink {

    private final Producer<byte[], byte[]> producer;
    private final EventCodec codec;
    private final String topic;

    public KafkaEventSink(Producer<byte[], byte[]> producer, EventCodec codec, String topic) {
        this.producer = producer;
        this.codec = codec;
        this.topic = topic;
    }

    /** A sink for {@link Topics#EVENTS_ALL}. */
    public static KafkaEventSink eventsAll(Producer<byte[], byte[]> producer) {
        return new KafkaEventSink(producer, EventCodec.standard(), Topics.EVENTS_ALL);
    }

    @Override
    public CompletableFuture<Void> publish(List<EventEnvelope> events) {
        CompletableFuture<?>[] acks = new CompletableFuture<?>[events.size()];
        for (int i = 0; i < events.size(); i++) {
            acks[i] = send(events.get(i));
        }
        return CompletableFuture.allOf(acks);
    }

    /** The producer record of one event, exactly as it goes to the topic. */
    public ProducerRecord<byte[], byte[]> record(EventEnvelope event) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(Topics.HEADER_AGGREGATE_TYPE, event.getAggregateType().getBytes(StandardCharsets.UTF_8));
        headers.add(Topics.HEADER_EVENT_TYPE, event.getType().getBytes(StandardCharsets.UTF_8));
        return new ProducerRecord<>(
                topic,
                null,
                event.getRecordedAt().toEpochMilli(),
                event.getAggregateId().getBytes(StandardCharsets.UTF_8),
                codec.encode(event),
                headers);
    }

    private CompletableFuture<Void> send(EventEnvelope event) {
        CompletableFuture<Void> ack = new CompletableFuture<>();
        try {
            producer.send(record(event), (metadata, error) -> {
                if (error == null) {
                    ack.complete(null);
                } else {
                    ack.completeExceptionally(classify(error));
                }
            });
        } catch (RuntimeException e) {
            ack.completeExceptionally(classify(e));
        }
        return ack;
    }

    /** Splits what Kafka reports into worth-retrying and not. */
    static RuntimeException classify(Throwable error) {
        if (error instanceof InterruptException) {
            Thread.currentThread().interrupt();
            return new KafkaUnavailableException("interrupted while producing to Kafka", error);
        }
        if (error instanceof RetriableException) {
            return new KafkaUnavailableException("Kafka did not take the event: " + error.getMessage(), error);
        }
        if (error instanceof KafkaException || error instanceof IllegalStateException) {
            return new EventRefusedException("Kafka refused the event: " + error, error);
        }
        return new EventRefusedException("producing to Kafka failed: " + error, error);
    }
}
