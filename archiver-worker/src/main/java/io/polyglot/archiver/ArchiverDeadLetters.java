package io.polyglot.archiver;

import io.polyglot.runtime.deadletter.DeadLetterLedger;
import io.polyglot.runtime.deadletter.DeadLetterPublisher;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The archiver's side of dead letters: sends a poison record to {@code events.dlq} once for the archiver's group,
 * counts it and logs it at WARN (never its payload). Once {@link #send} returns, the record's offset is accounted for;
 * when it throws, it is not, and the loop reads the record again later.
 */
final class ArchiverDeadLetters implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ArchiverDeadLetters.class);

    /** The archiver decodes a record once: decoding again gives the same answer, so there is one attempt. */
    private static final int ATTEMPTS = 1;

    private final DeadLetterPublisher publisher;
    private final DeadLetterLedger ledger;
    private final ArchiverMetrics metrics;

    ArchiverDeadLetters(DeadLetterPublisher publisher, DeadLetterLedger ledger, ArchiverMetrics metrics) {
        this.publisher = publisher;
        this.ledger = ledger;
        this.metrics = metrics;
    }

    /** Partitions were assigned: learns which records the group has dead-lettered already, if Kafka answers now. */
    void onAssigned() {
        ledger.reloadIfReachable();
    }

    /**
     * Sends the dead letter of {@code record}, unless the group has one already.
     *
     * @throws io.polyglot.runtime.deadletter.DeadLetterUnavailableException when Kafka did not take it
     */
    void send(ConsumerRecord<byte[], byte[]> record, PoisonRecordException poison) {
        if (publisher.publish(record, poison.getCause(), ATTEMPTS)) {
            metrics.deadLetter(poison.reason().tag());
            log.warn(
                    "Sent record {}-{}@{} to the dead letters ({}): {}",
                    record.topic(),
                    record.partition(),
                    record.offset(),
                    poison.reason().tag(),
                    poison.getCause().getMessage());
        } else {
            log.debug("Record {}-{}@{} is a dead letter already", record.topic(), record.partition(), record.offset());
        }
    }

    @Override
    public void close() {
        publisher.close();
    }
}
