package io.polyglot.projection;

import io.polyglot.runtime.deadletter.DeadLetterLedger;
import io.polyglot.runtime.deadletter.DeadLetterPublisher;
import io.polyglot.runtime.deadletter.DeadLetterReader;
import io.polyglot.schemas.Limits;
import java.sql.SQLException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The projection's side of dead letters: sends a record it cannot decode, or one PostgreSQL refused alone attempt after
 * attempt, to the dead-letter topic once for its group, and logs it at WARN (never its payload). Once {@link #send}
 * returns the record may be passed over; when it throws, the batch holding it waits and is tried again, so no record is
 * skipped without its dead letter.
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
        return publish(record, why, ATTEMPTS, why.getMessage());
    }

    /**
     * Sends the dead letter of a record PostgreSQL refused {@code attempts} times when applied alone, unless the group
     * has one already. Its message names the SQL state and the driver's error; the log line names only the SQL state,
     * since the driver's text may quote the record's values.
     *
     * @return true when it sent one now
     * @throws io.polyglot.runtime.deadletter.DeadLetterUnavailableException when Kafka did not take it
     */
    boolean sendRefused(ConsumerRecord<byte[], byte[]> record, ReadModelWriteException refusal, int attempts) {
        Throwable driver = refusal;
        for (Throwable cause = refusal; cause != null; cause = cause.getCause()) {
            if (cause instanceof SQLException) {
                driver = cause;
                break;
            }
        }
        ReadModelWriteException why = new ReadModelWriteException(
                "PostgreSQL refused the record alone " + attempts + " times, SQL state " + refusal.sqlState() + ": "
                        + driver.getClass().getName() + ": " + driver.getMessage(),
                refusal.sqlState(),
                refusal);
        return publish(
                record,
                why,
                attempts,
                "PostgreSQL refused it alone " + attempts + " times, SQL state " + refusal.sqlState());
    }

    /** Publishes a dead letter and, when it went out now, logs it with {@code logged}, which holds no payload. */
    private boolean publish(ConsumerRecord<byte[], byte[]> record, Throwable why, int attempts, String logged) {
        boolean sent = publisher.publish(record, why, attempts);
        if (sent) {
            log.warn(
                    "Sent record {}-{}@{} to the dead letters: {}",
                    record.topic(),
                    record.partition(),
                    record.offset(),
                    logged);
        }
        return sent;
    }

    @Override
    public void close() {
        publisher.close();
    }
}
