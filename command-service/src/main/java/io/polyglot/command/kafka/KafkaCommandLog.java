package io.polyglot.command.kafka;

import io.polyglot.command.avro.CommandRecord;
import io.polyglot.command.decider.DeciderRecords;
import io.polyglot.command.intake.CommandLog;
import io.polyglot.command.intake.CommandPosition;
import io.polyglot.command.intake.EventRefusedException;
import io.polyglot.command.intake.Intake;
import io.polyglot.runtime.KafkaUnavailableException;
import io.polyglot.schemas.EventCodec;
import io.polyglot.schemas.Topics;
import io.polyglot.schemas.avro.EventEnvelope;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.RetriableException;

/**
 * Produces validated commands to {@code commands}: key the aggregate id in UTF-8, so Kafka's default partitioner puts
 * every command of an aggregate in one partition, in order, for the decider; value a {@code CommandRecord} in
 * single-object encoding.
 */
public final class KafkaCommandLog implements CommandLog {

    private final Producer<byte[], byte[]> producer;
    private final EventCodec codec;
    private final String topic;

    public KafkaCommandLog(Producer<byte[], byte[]> producer, EventCodec codec, String topic) {
        this.producer = producer;
        this.codec = codec;
        this.topic = topic;
    }

    /** A log on {@link Topics#COMMANDS}. */
    public static KafkaCommandLog commands(Producer<byte[], byte[]> producer) {
        return new KafkaCommandLog(producer, EventCodec.standard(), Topics.COMMANDS);
    }

    @Override
    public CompletableFuture<CommandPosition> append(Intake.Accepted command) {
        CompletableFuture<CommandPosition> ack = new CompletableFuture<>();
        try {
            producer.send(record(command), (metadata, error) -> {
                if (error == null) {
                    ack.complete(new CommandPosition(metadata.partition(), metadata.offset()));
                } else {
                    ack.completeExceptionally(classify(error));
                }
            });
        } catch (RuntimeException e) {
            ack.completeExceptionally(classify(e));
        }
        return ack;
    }

    /** The producer record of one command, exactly as it goes to the topic. */
    public ProducerRecord<byte[], byte[]> record(Intake.Accepted command) {
        List<ByteBuffer> events = new ArrayList<>(command.events().size());
        for (EventEnvelope event : command.events()) {
            events.add(ByteBuffer.wrap(codec.encode(event)));
        }
        CommandRecord record = CommandRecord.newBuilder()
                .setCommandId(command.id())
                .setAggregateType(command.aggregateType())
                .setAggregateId(command.aggregateId())
                .setCommandType(command.commandType())
                .setExpectedVersion(command.expectedVersion().orElse(null))
                .setBodyHash(command.bodyHash())
                .setBodyHashAsSent(command.bodyHashAsSent())
                .setEvents(events)
                .build();
        return new ProducerRecord<>(
                topic, command.aggregateId().getBytes(StandardCharsets.UTF_8), DeciderRecords.encode(record));
    }

    /** Splits what Kafka reports into worth-retrying and not. */
    static RuntimeException classify(Throwable error) {
        if (error instanceof InterruptException) {
            Thread.currentThread().interrupt();
            return new KafkaUnavailableException("interrupted while producing to Kafka", error);
        }
        if (error instanceof RetriableException) {
            return new KafkaUnavailableException("Kafka did not take the command: " + error.getMessage(), error);
        }
        if (error instanceof KafkaException || error instanceof IllegalStateException) {
            return new EventRefusedException("Kafka refused the command: " + error, error);
        }
        return new EventRefusedException("producing to Kafka failed: " + error, error);
    }
}
