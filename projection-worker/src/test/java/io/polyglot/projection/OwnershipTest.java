package io.polyglot.projection;

import static io.polyglot.projection.TestWorkers.PROJECTED_WITHIN;
import static io.polyglot.projection.TestWorkers.fenced;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.polyglot.projection.TestWorkers.Running;
import io.polyglot.projection.domain.LoanApplicationChange;
import io.polyglot.projection.readmodel.PostgresReadModelStore;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** Who applies a partition's events when instances stall, lose their partitions or restart. */
class OwnershipTest extends WorkersOnKafkaAndPostgres {

    private final ListAppender<ILoggingEvent> workerLog = new ListAppender<>();

    @BeforeEach
    void prepareTheTest() throws Exception {
        workerLog.start();
        workerLogger().addAppender(workerLog);
    }

    @AfterEach
    void cleanUpTheTest() {
        workerLogger().detachAppender(workerLog);
    }

    @Test
    void aStaleInstanceThatStalledInsideItsTransactionIsFencedAndEveryEventCountsOnce() throws Exception {
        // given a log, and an instance that stalls inside the transaction of its first batch for longer than the
        // group lets a member go without polling
        SyntheticLog eventLog = SyntheticLog.generate(11, 50, 30);
        eventLog.produceTo(servers.bootstrapServers(), workers.topic());
        CountDownLatch stalled = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean first = new AtomicBoolean(true);
        BatchPause stallOnce = point -> {
            if (point == BatchPause.Point.TRANSACTION_STARTED && first.compareAndSet(true, false)) {
                stalled.countDown();
                awaitQuietly(release);
            }
        };
        Running stale = workers.start(
                40,
                Map.of("KAFKA_CONSUMER_MAX_POLL_INTERVAL_MS", "6000"),
                pool -> new PostgresReadModelStore(pool, workers.group(), stallOnce),
                BatchPause.NONE);
        assertThat(stalled.await(90, TimeUnit.SECONDS)).isTrue();

        // when a second instance takes the partitions and applies the same events, then the stale one goes on
        Running second = workers.start(40);
        await().atMost(PROJECTED_WITHIN)
                .until(() -> second.worker().ownedPartitions().size() == PARTITIONS);
        workers.awaitViewsEqualTheFoldOf(eventLog);
        release.countDown();

        // then the stale batch is fenced and rolled back, and every event is counted once
        await().atMost(PROJECTED_WITHIN).until(() -> fenced(stale.registry()) == 1);
        assertThat(fenced(second.registry())).isZero();
        assertThat(workerLog.list)
                .extracting(ILoggingEvent::getFormattedMessage)
                .filteredOn(message -> message.startsWith("Batch fenced"))
                .hasSize(1);
        workers.awaitViewsEqualTheFoldOf(eventLog);
        assertThat(workers.storedOffsets().values().stream()
                        .mapToLong(Long::longValue)
                        .sum())
                .isEqualTo(eventLog.entries().size());
    }

    @Test
    void threeGracefulRestartsApplyEachEventOnceAndStartFromTheStoredOffsets() throws Exception {
        // given one event in each partition, and a store that counts the events of every batch it commits
        SyntheticLog eventLog = oneLoanEventPerPartition();
        List<LoanApplicationChange> applied = new CopyOnWriteArrayList<>();

        // when a worker applies them and is then stopped and replaced three times
        for (int run = 0; run < 4; run++) {
            Map<Integer, Long> storedBefore = workers.storedOffsets();
            Running worker = workers.start(
                    10,
                    Map.of(),
                    pool -> counting(new PostgresReadModelStore(pool, workers.group()), applied),
                    BatchPause.NONE);
            await().atMost(PROJECTED_WITHIN)
                    .until(() -> worker.worker().positionsAfterAssignment().size() == PARTITIONS);

            // then the position after each assignment is the stored offset (the start before anything was stored)
            Map<Integer, Long> expectedPositions = Map.of(0, 0L, 1, 0L, 2, 0L);
            if (run > 0) {
                expectedPositions = storedBefore;
            }
            assertThat(worker.worker().positionsAfterAssignment()).isEqualTo(expectedPositions);
            workers.awaitViewsEqualTheFoldOf(eventLog);
            await().atMost(PROJECTED_WITHIN)
                    .untilAsserted(() -> assertThat(workers.storedOffsets()).isEqualTo(Map.of(0, 1L, 1, 1L, 2, 1L)));
            worker.close();
        }

        // and each event was applied exactly once over the four runs
        assertThat(applied)
                .extracting(LoanApplicationChange::partition, LoanApplicationChange::lastOffset)
                .containsExactlyInAnyOrder(
                        org.assertj.core.api.Assertions.tuple(0, 0L),
                        org.assertj.core.api.Assertions.tuple(1, 0L),
                        org.assertj.core.api.Assertions.tuple(2, 0L));
        assertThat(applied).allSatisfy(change -> assertThat(change.eventCount()).isEqualTo(1));
    }

    /** Produces one loan event to each partition, by partition number rather than by key, and returns them as a log. */
    private SyntheticLog oneLoanEventPerPartition() throws Exception {
        Instant at = Instant.parse("2011-10-01T09:00:00Z");
        List<SyntheticLog.Entry> entries = List.of(
                new SyntheticLog.Entry("LoanApplication", "Application_0", "A_SUBMITTED", "COMPLETE", at, Map.of()),
                new SyntheticLog.Entry("LoanApplication", "Application_1", "A_SUBMITTED", "COMPLETE", at, Map.of()),
                new SyntheticLog.Entry("LoanApplication", "Application_2", "A_SUBMITTED", "COMPLETE", at, Map.of()));
        for (int partition = 0; partition < PARTITIONS; partition++) {
            SyntheticLog.Entry entry = entries.get(partition);
            workers.send(partition, entry.aggregateId(), Envelopes.encode(entry));
        }
        return SyntheticLog.of(entries);
    }

    /** The real store, noting the loan-application changes of every batch it commits. */
    private static ReadModelStore counting(PostgresReadModelStore real, List<LoanApplicationChange> applied) {
        return new RecordingStore(real, batch -> applied.addAll(batch.loanApplications()));
    }

    private static ch.qos.logback.classic.Logger workerLogger() {
        return (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(ProjectionWorker.class);
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(5, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
