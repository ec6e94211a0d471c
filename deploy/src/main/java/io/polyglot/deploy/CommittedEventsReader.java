package io.polyglot.deploy;

import io.polyglot.archive.store.CommittedEvents;
import io.polyglot.runtime.CommittedRecordsReader;
import io.polyglot.schemas.Topics;
import java.time.Duration;

/**
 * Reads {@code events.all} from the beginning to the end it has now, as a read-committed consumer, for
 * {@code archive verify}, into the {@link CommittedEvents} the verifier checks the archive against.
 */
final class CommittedEventsReader {

    /** How long one request to the broker may take before verification gives up: the stack is local. */
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(15);

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
        return read(new CommittedRecordsReader(bootstrapServers, REQUEST_TIMEOUT));
    }

    /** Everything {@code reader} returns of {@code events.all} now. */
    static CommittedEvents read(CommittedRecordsReader reader) {
        CommittedEvents committed = new CommittedEvents();
        reader.read(Topics.EVENTS_ALL, new CommittedRecordsReader.Sink() {
            @Override
            public void end(int partition, long endOffset) {
                committed.readUpTo(partition, endOffset);
            }

            @Override
            public void record(int partition, long offset, String aggregateType) {
                committed.add(partition, offset, aggregateType);
            }
        });
        return committed;
    }
}
