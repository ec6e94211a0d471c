package io.polyglot.projection;

import io.polyglot.runtime.deadletter.DeadLetterLedger;
import io.polyglot.runtime.deadletter.DeadLetterPublisher;
import io.polyglot.runtime.deadletter.DeadLetterReader;
import io.polyglot.schemas.Limits;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The projection's side of dead letters: sends a record it cannot decode to the dead-letter topic once for its group,
 * and logs it at WARN (never its payload). Once {@link #send} returns the record may be passed over; when it throws,
 * the batch holding it waits and is tried again, so no record is skipped without its dead letter.
 */
final class ProjectionDeadLetters implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ProjectionDeadLetters.class);

    /** Decoding the same bytes with the same schemas gives the same answer: one attempt is all there is. */
    static final int ATTEMPTS = 1;

    private final DeadLetterPublisher publisher;
    private final DeadLetterLedger ledger;

    private ProjectionDeadLetters(DeadLetterPublisher publisher, DeadLetterLedger ledger) {
        this.publisher = publisher;
        this.ledger = ledger;
    }

    /** Dead letters of the config's group, sent to and remembered from the config's dead-letter topic. */
    static ProjectionDeadLetters of(ProjectionConfig config) {
        DeadLetterReader reader = new DeadLetterReader(
                config.bootstrapServers(),
                config.deadLetterTopic(),
                config.deadLetterTimeout(),
                config.consumerOverrides());
        DeadLetterLedger ledger = new DeadLetterLedger(reader, config.consumerGroup());
        DeadLetterPublisher publisher = DeadLetterPublisher.create(
                config.bootstrapServers(),
                Limits.DEFAULT_COMMAND_MAX_BYTES,
                config.producerOverrides(),
                config.deadLetterTopic(),
                ledger,
                config.deadLetterTimeout());
        return new ProjectionDeadLetters(publisher, ledger);
    }

    /** Partitions were assigned: learns which records the group has dead-lettered already, if Kafka answers now. */
    void onAssigned() {
        ledger.reloadIfReachable();
    }

    /**
     * Sends the dead letter of {@code record}, unless the group has one already.
     *
     * @return true when it sent one now
     * @throws io.polyglot.runtime.deadletter.DeadLetterUnavailableException when Kafka did not take it
     */
    boolean send(ConsumerRecord<byte[], byte[]> record, Throwable why) {
        boolean sent = publisher.publish(record, why, ATTEMPTS);
        if (sent) {
            log.warn(
                    "Sent record {}-{}@{} to the dead letters: {}",
                    record.topic(),
                    record.partition(),
                    record.offset(),
                    why.getMessage());
        }
        return sent;
    }

    @Override
    public void close() {
        publisher.close();
    }
}
