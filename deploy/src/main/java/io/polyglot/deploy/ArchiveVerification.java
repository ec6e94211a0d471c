package io.polyglot.deploy;

import io.polyglot.archive.store.ArchiveStore;
import io.polyglot.archive.store.ArchiveStoreConfig;
import io.polyglot.archive.store.ArchiveStoreException;
import io.polyglot.archive.store.ArchiveVerifier;
import io.polyglot.archive.store.CommittedEvents;
import io.polyglot.archive.store.DeadLetteredOffsets;
import io.polyglot.archive.store.VerificationReport;
import io.polyglot.runtime.KafkaUnavailableException;
import io.polyglot.runtime.deadletter.DeadLetterReader;
import io.polyglot.schemas.Topics;
import java.net.URI;
import java.util.Map;
import org.apache.kafka.common.KafkaException;

/**
 * {@code archive verify} against a running stack, as the CLI and the end-to-end test run it: reads {@code events.all}
 * as a read-committed consumer first, then verifies the archive bucket against it and stores the result under
 * {@code verifications/}.
 */
public final class ArchiveVerification {

    /** The archiver's consumer group, whose dead letters count as accounted for. */
    static final String ARCHIVER_GROUP = "polyglot-archiver";

    private ArchiveVerification() {}

    /**
     * What a verification found and where its result is stored.
     *
     * @param report what the verifier found
     * @param storedAs the key of the stored result
     */
    public record Outcome(VerificationReport report, String storedAs) {}

    /** Verification could not run: the archive or the broker cannot be reached, so nothing was checked. */
    public static final class CannotRunException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        CannotRunException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * Verifies the archive of the stack whose client settings ({@link PolyglotStack#env()}) are {@code env}.
     *
     * @throws CannotRunException when storage or Kafka cannot be reached
     */
    public static Outcome run(Map<String, String> env) {
        try (ArchiveStore store = store(env)) {
            if (!store.reachable()) {
                throw new CannotRunException(
                        "the archive bucket " + store.bucket() + " at " + env.get("S3_ENDPOINT") + " does not answer",
                        null);
            }
            CommittedEvents committed = readTopic(env.get("KAFKA_BOOTSTRAP_SERVERS"));
            // Read after events.all, so every dead letter of an offset read above is in this snapshot.
            DeadLetteredOffsets deadLetters = readDeadLetters(env.get("KAFKA_BOOTSTRAP_SERVERS"));
            ArchiveVerifier verifier = new ArchiveVerifier(store);
            VerificationReport report = verifier.verify(committed, deadLetters, ARCHIVER_GROUP);
            return new Outcome(report, verifier.store(report));
        } catch (ArchiveStoreException e) {
            throw new CannotRunException("the archive could not be read to the end: " + e.getMessage(), e);
        }
    }

    /** The archive store of the stack whose client settings are {@code env}; the caller closes it. */
    public static ArchiveStore store(Map<String, String> env) {
        return new ArchiveStore(new ArchiveStoreConfig(
                URI.create(env.get("S3_ENDPOINT")),
                env.get("S3_BUCKET"),
                env.get("S3_REGION"),
                env.get("AWS_ACCESS_KEY_ID"),
                env.get("AWS_SECRET_ACCESS_KEY"),
                false));
    }

    private static DeadLetteredOffsets readDeadLetters(String bootstrapServers) {
        try {
            DeadLetteredOffsets offsets = new DeadLetteredOffsets();
            new DeadLetterReader(bootstrapServers, Topics.EVENTS_DLQ, CommittedEventsReader.REQUEST_TIMEOUT, Map.of())
                    .read(ARCHIVER_GROUP).stream()
                            .filter(letter -> letter.source().topic().equals(Topics.EVENTS_ALL))
                            .forEach(letter -> offsets.add(
                                    letter.source().partition(), letter.source().offset()));
            return offsets;
        } catch (KafkaUnavailableException e) {
            throw new CannotRunException(
                    Topics.EVENTS_DLQ + " at " + bootstrapServers + " cannot be read: " + e.getMessage(), e);
        }
    }

    private static CommittedEvents readTopic(String bootstrapServers) {
        try {
            return new CommittedEventsReader(bootstrapServers).read();
        } catch (KafkaException e) {
            throw new CannotRunException("Kafka at " + bootstrapServers + " cannot be read: " + e.getMessage(), e);
        }
    }
}
