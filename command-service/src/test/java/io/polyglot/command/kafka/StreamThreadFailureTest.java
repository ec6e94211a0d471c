package io.polyglot.command.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.junit.jupiter.api.Test;

/**
 * Which failures of a decider thread replace the thread and which stop the decider. The failures are built here, as
 * Kafka Streams hands them over, because a real broker fails a commit this way only by a race after a crash (seen
 * once in {@code KafkaRecoveryTest}'s runs, not on demand).
 */
class StreamThreadFailureTest {

    @Test
    void replacesTheThreadWhenABrokerFailedItsCommitAfterARestart() {
        // given
        Throwable failure = new StreamsException(
                "Error encountered trying to commit a transaction",
                new KafkaException("Unhandled error in EndTxnResponse: The server experienced an unexpected error"));

        // when
        StreamThreadExceptionResponse response = KafkaDecider.onStreamThreadFailure(failure);

        // then
        assertThat(response).isEqualTo(StreamThreadExceptionResponse.REPLACE_THREAD);
    }

    @Test
    void stopsTheDeciderWhenItsOwnCodeFailedOnACommand() {
        // given
        Throwable failure = new StreamsException(
                "Exception caught in process", new IllegalStateException("a rule broke on this command"));

        // when
        StreamThreadExceptionResponse response = KafkaDecider.onStreamThreadFailure(failure);

        // then
        assertThat(response).isEqualTo(StreamThreadExceptionResponse.SHUTDOWN_CLIENT);
    }

    @Test
    void stopsTheDeciderWhenARecordCannotBeRead() {
        // given
        Throwable failure =
                new StreamsException("Deserialization exception handler is set to fail", new SerializationException());

        // when
        StreamThreadExceptionResponse response = KafkaDecider.onStreamThreadFailure(failure);

        // then
        assertThat(response).isEqualTo(StreamThreadExceptionResponse.SHUTDOWN_CLIENT);
    }
}
