package io.polyglot.projection;

import static io.polyglot.projection.TestWorkers.PROJECTED_WITHIN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.polyglot.projection.TestWorkers.Running;
import io.polyglot.runtime.deadletter.DeadLetter;
import io.polyglot.runtime.deadletter.DeadLetterReader;
import io.polyglot.runtime.deadletter.DeadLetterSource;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A record the projection cannot decode goes to the dead letters, and the worker moves on. */
class DeadLetterTest extends WorkersOnKafkaAndPostgres {

    @Test
    void anUndecodableRecordBetweenTwoGoodOnesGoesToTheDeadLettersOnceAndBothGoodOnesAreApplied() throws Exception {
        // given partition 0 holds an event, a record that is no envelope, and the next event of the same application
        Instant at = Instant.parse("2011-10-01T09:00:00Z");
        SyntheticLog.Entry submitted = new SyntheticLog.Entry(
                "LoanApplication", "Application_7", "A_SUBMITTED", "COMPLETE", at, Map.of("AMOUNT_REQ", "5000"));
        SyntheticLog.Entry accepted = new SyntheticLog.Entry(
                "LoanApplication", "Application_7", "A_ACCEPTED", "COMPLETE", at.plusSeconds(60), Map.of());
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
                        .counter()
                        .count())
                .isEqualTo(1.0);
        await().atMost(PROJECTED_WITHIN)
                .untilAsserted(() -> assertThat(worker.registry()
                                .get("polyglot.consumer.lag")
                                .tag("partition", "0")
                                .gauge()
                                .value())
                        .isZero());
        assertThat(workers.storedOffsets()).containsEntry(0, 3L);
    }
}
