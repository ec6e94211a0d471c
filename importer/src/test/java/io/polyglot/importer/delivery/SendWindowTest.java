package io.polyglot.importer.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.polyglot.importer.command.Batch;
import io.polyglot.importer.command.PendingCommand;
import io.polyglot.importer.log.CaseEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The window on its own, with senders that answer in memory: ordering rules need no HTTP to be checked. */
class SendWindowTest {

    private static Batch batchOf(String... cases) {
        List<PendingCommand> commands = new ArrayList<>();
        for (String caseId : cases) {
            CaseEvent event = new CaseEvent(caseId, 1, "a", null, null, "2020-01-01T00:00:00Z", Map.of(), 1);
            commands.add(new PendingCommand(event, caseId, new byte[0]));
        }
        return new Batch(commands);
    }

    private static BatchAnswer accepted(Batch batch) {
        return new BatchAnswer(
                batch,
                batch.commands().stream().map(c -> LineResult.accepted(c)).toList(),
                1);
    }

    @Test
    void keepsSeveralBatchesOfDifferentCasesInFlight() throws Exception {
        // given a sender that answers only once two batches are in flight together
        CountDownLatch bothInFlight = new CountDownLatch(2);
        AtomicInteger answered = new AtomicInteger();
        BatchSender sender = batch -> {
            bothInFlight.countDown();
            assertThat(bothInFlight.await(10, TimeUnit.SECONDS)).isTrue();
            return accepted(batch);
        };

        // when
        try (SendWindow window = new SendWindow(2, sender, answer -> answered.incrementAndGet())) {
            window.submit(batchOf("a"));
            window.submit(batchOf("b"));
            window.drain();
        }

        // then
        assertThat(bothInFlight.getCount()).isZero();
        assertThat(answered).hasValue(2);
    }

    @Test
    void holdsBackABatchWhileAnEarlierOneOfTheSameCaseIsInFlight() throws Exception {
        // given a sender that holds the first batch until released and records which batches started
        CountDownLatch releaseFirst = new CountDownLatch(1);
        Set<String> started = ConcurrentHashMap.newKeySet();
        BatchSender sender = batch -> {
            String label = batch.commands().get(batch.size() - 1).caseId();
            started.add(label);
            if (label.equals("first")) {
                assertThat(releaseFirst.await(10, TimeUnit.SECONDS)).isTrue();
            }
            return accepted(batch);
        };
        try (SendWindow window = new SendWindow(4, sender, answer -> {})) {
            window.submit(batchOf("shared", "first"));
            window.submit(batchOf("other"));
            Thread third = new Thread(() -> {
                try {
                    window.submit(batchOf("shared", "third"));
                } catch (CommandServiceException | InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });

            // when
            third.start();

            // then
            await().atMost(Duration.ofSeconds(5)).until(() -> started.contains("other"));
            await().during(Duration.ofMillis(300))
                    .atMost(Duration.ofSeconds(2))
                    .until(() -> !started.contains("third"));
            releaseFirst.countDown();
            await().atMost(Duration.ofSeconds(5)).until(() -> started.contains("third"));
            third.join(5_000);
        }
    }

    @Test
    void stopsWithTheFailureOfABatch() throws Exception {
        // given a sender that fails every batch
        BatchSender sender = batch -> {
            throw CommandServiceException.unreachable("down", null);
        };

        // when / then
        try (SendWindow window = new SendWindow(1, sender, answer -> {})) {
            window.submit(batchOf("a"));
            assertThatThrownBy(() -> {
                        window.submit(batchOf("b"));
                        window.drain();
                    })
                    .isInstanceOf(CommandServiceException.class)
                    .hasMessage("down");
        }
    }
}
