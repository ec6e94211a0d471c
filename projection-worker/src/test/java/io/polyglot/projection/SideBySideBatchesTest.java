package io.polyglot.projection;

import static io.polyglot.projection.TestWorkers.PROJECTED_WITHIN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.polyglot.projection.domain.PartitionAdvance;
import io.polyglot.projection.domain.ReadModelBatch;
import io.polyglot.projection.readmodel.PostgresReadModelStore;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The batches of one poll, one per group of partitions, are applied side by side while the loop folds the next poll;
 * whatever one of them meets, every event is applied once, in order, and the views equal the fold of the log.
 */
class SideBySideBatchesTest extends WorkersOnKafkaAndPostgres {

    @Test
    void batchesOfDisjointPartitionGroupsAreInTheDatabaseAtTheSameTime() throws Exception {
        // given a log over the three partitions, and a store that holds each of the first two batches until the other
        // one is in it too (for at most 10 s)
        SyntheticLog eventLog = SyntheticLog.generate(21, 60, 40);
        eventLog.produceTo(servers.bootstrapServers(), workers.topic());
        CountDownLatch firstTwo = new CountDownLatch(2);
        List<Set<Integer>> firstTwoPartitions = new CopyOnWriteArrayList<>();
        List<Boolean> metTheOther = new CopyOnWriteArrayList<>();
        List<PartitionAdvance> committed = new CopyOnWriteArrayList<>();

        // when a worker applies it, its first poll holding every partition's records
        workers.start(
                5_000,
                Map.of(),
                pool -> new Recording(new PostgresReadModelStore(pool, workers.group()), committed) {
                    @Override
                    public BatchOutcome apply(ReadModelBatch batch) {
                        if (firstTwo.getCount() > 0) {
                            firstTwoPartitions.add(partitions(batch));
                            firstTwo.countDown();
                            metTheOther.add(awaitQuietly(firstTwo));
                        }
                        return super.apply(batch);
                    }
                },
                BatchPause.NONE);

        // then the first two batches were in the store at once, each finding the other there, without a partition in
        // common
        workers.awaitViewsEqualTheFoldOf(eventLog);
        assertThat(metTheOther).containsExactly(true, true);
        assertThat(firstTwoPartitions).hasSize(2);
        assertThat(firstTwoPartitions.get(0)).doesNotContainAnyElementsOf(firstTwoPartitions.get(1));
        // and the committed advances of each partition follow each other from its start to its end
        await().atMost(PROJECTED_WITHIN).untilAsserted(() -> assertEveryOffsetAdvancedOnce(eventLog, committed));
    }

    @Test
    void whenBothGroupsBatchesOfAPollFailTheFirstWaitsAndTheSecondIsReadAgain() throws Exception {
        // given a log, and a store that fails the first batch of each group once both are in it, as an outage fails
        // every open transaction (a stand-in: PostgreSQL cannot be made to fail two given transactions)
        SyntheticLog eventLog = SyntheticLog.generate(24, 60, 40);
        eventLog.produceTo(servers.bootstrapServers(), workers.topic());
        CountDownLatch firstTwo = new CountDownLatch(2);
        AtomicInteger failed = new AtomicInteger();
        List<Set<Integer>> failedPartitions = new CopyOnWriteArrayList<>();
        List<Boolean> metTheOther = new CopyOnWriteArrayList<>();
        List<PartitionAdvance> committed = new CopyOnWriteArrayList<>();

        // when a worker applies it, its first poll holding every partition's records
        workers.start(
                5_000,
                Map.of("DATABASE_RETRY_MAX_DELAY", "1s"),
                pool -> new Recording(new PostgresReadModelStore(pool, workers.group()), committed) {
                    @Override
                    public BatchOutcome apply(ReadModelBatch batch) {
                        if (firstTwo.getCount() > 0) {
                            failedPartitions.add(partitions(batch));
                            firstTwo.countDown();
                            metTheOther.add(awaitQuietly(firstTwo));
                            failed.incrementAndGet();
                            throw new ReadModelUnavailableException(
                                    "test: the database went away", new IllegalStateException());
                        }
                        return super.apply(batch);
                    }
                },
                BatchPause.NONE);

        // then both failed together, one batch of each group, and still every event is applied once, in order
        workers.awaitViewsEqualTheFoldOf(eventLog);
        assertThat(failed.get()).isEqualTo(2);
        assertThat(metTheOther).containsExactly(true, true);
        assertThat(failedPartitions.get(0)).doesNotContainAnyElementsOf(failedPartitions.get(1));
        await().atMost(PROJECTED_WITHIN).untilAsserted(() -> assertEveryOffsetAdvancedOnce(eventLog, committed));
    }

    @Test
    void aGroupsBatchTheDatabaseDoesNotTakeIsAppliedAgainAndThePollFoldedBehindItIsReadAgain() throws Exception {
        // given a log, and a store that fails the third batch of partition 1 a moment after it started, while the loop
        // polls and folds the next poll (a stand-in for the database: PostgreSQL cannot be made to fail one chosen
        // transaction)
        SyntheticLog eventLog = SyntheticLog.generate(22, 60, 40);
        eventLog.produceTo(servers.bootstrapServers(), workers.topic());
        List<PartitionAdvance> committed = new CopyOnWriteArrayList<>();
        AtomicInteger batchesOfPartitionOne = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();

        // when a worker applies it
        workers.start(
                10,
                Map.of("DATABASE_RETRY_MAX_DELAY", "1s"),
                pool -> new Recording(new PostgresReadModelStore(pool, workers.group()), committed) {
                    @Override
                    public BatchOutcome apply(ReadModelBatch batch) {
                        if (partitions(batch).contains(1) && batchesOfPartitionOne.incrementAndGet() == 3) {
                            sleepQuietly(300);
                            failed.incrementAndGet();
                            throw new ReadModelUnavailableException(
                                    "test: the connection of this batch broke", new IllegalStateException());
                        }
                        return super.apply(batch);
                    }
                },
                BatchPause.NONE);

        // then the batch failed once, and still every event is applied once, in order
        workers.awaitViewsEqualTheFoldOf(eventLog);
        assertThat(failed.get()).isEqualTo(1);
        await().atMost(PROJECTED_WITHIN).untilAsserted(() -> assertEveryOffsetAdvancedOnce(eventLog, committed));
    }

    @Test
    void aGroupsBatchRefusedForItsRowsGoesOnOneRecordAtATime() throws Exception {
        // given a log, and a store that refuses the second batch of partition 2 as a whole once, as PostgreSQL
        // refuses a batch for one of its rows (a stand-in: no real row fails once and then passes)
        SyntheticLog eventLog = SyntheticLog.generate(23, 60, 40);
        eventLog.produceTo(servers.bootstrapServers(), workers.topic());
        List<PartitionAdvance> committed = new CopyOnWriteArrayList<>();
        AtomicInteger batchesOfPartitionTwo = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        List<PartitionAdvance> refusedAdvances = new CopyOnWriteArrayList<>();

        // when a worker applies it
        workers.start(
                10,
                Map.of(),
                pool -> new Recording(new PostgresReadModelStore(pool, workers.group()), committed) {
                    @Override
                    public BatchOutcome apply(ReadModelBatch batch) {
                        long span = span(batch, 2);
                        if (span > 1 && batchesOfPartitionTwo.incrementAndGet() == 2) {
                            sleepQuietly(200);
                            refused.incrementAndGet();
                            refusedAdvances.addAll(batch.advances());
                            throw new ReadModelWriteException(
                                    "test: a row of this batch was refused", "23514", new IllegalStateException());
                        }
                        return super.apply(batch);
                    }
                },
                BatchPause.NONE);

        // then every event is applied once, in order, the refused batch's record by record
        workers.awaitViewsEqualTheFoldOf(eventLog);
        await().atMost(PROJECTED_WITHIN).untilAsserted(() -> assertEveryOffsetAdvancedOnce(eventLog, committed));
        assertThat(refused.get()).isEqualTo(1);
        // and each record of the refused batch was committed alone: one advance of one offset per record
        for (PartitionAdvance range : refusedAdvances) {
            long start = range.expected().orElse(0);
            assertThat(committed)
                    .filteredOn(advance -> advance.partition() == range.partition()
                            && advance.expected().orElse(0) >= start
                            && advance.next() <= range.next())
                    .as("partition %d, offsets %d to %d", range.partition(), start, range.next())
                    .hasSize((int) (range.next() - start))
                    .allSatisfy(advance -> assertThat(
                                    advance.next() - advance.expected().orElse(0))
                            .isEqualTo(1));
        }
    }

    /** Each partition's committed advances chain from its start to its end, with no gap and no overlap. */
    private void assertEveryOffsetAdvancedOnce(SyntheticLog eventLog, List<PartitionAdvance> committed)
            throws Exception {
        Map<Integer, List<PartitionAdvance>> byPartition =
                new TreeMap<>(committed.stream().collect(Collectors.groupingBy(PartitionAdvance::partition)));
        long total = 0;
        for (Map.Entry<Integer, List<PartitionAdvance>> partition : byPartition.entrySet()) {
            long expected = 0;
            for (PartitionAdvance advance : partition.getValue()) {
                assertThat(advance.expected().orElse(0))
                        .as("partition %d", partition.getKey())
                        .isEqualTo(expected);
                expected = advance.next();
            }
            total += expected;
        }
        assertThat(total).isEqualTo(eventLog.entries().size());
        assertThat(workers.storedOffsets().values().stream()
                        .mapToLong(Long::longValue)
                        .sum())
                .isEqualTo(eventLog.entries().size());
    }

    private static Set<Integer> partitions(ReadModelBatch batch) {
        return batch.advances().stream().map(PartitionAdvance::partition).collect(Collectors.toSet());
    }

    /** How many offsets the batch advances {@code partition} by; 0 when it holds none of it. */
    private static long span(ReadModelBatch batch, int partition) {
        return batch.advances().stream()
                .filter(advance -> advance.partition() == partition)
                .mapToLong(advance -> advance.next() - advance.expected().orElse(0))
                .sum();
    }

    /** Whether the latch opened within 10 s. */
    private static boolean awaitQuietly(CountDownLatch latch) {
        try {
            return latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Holds the batch in the store a moment, so that the loop polls and folds the next poll meanwhile. */
    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The real store, noting the offset advances of every batch it commits, in the order it commits them. */
    private static class Recording extends RecordingStore {
        Recording(ReadModelStore real, List<PartitionAdvance> committed) {
            super(real, batch -> committed.addAll(batch.advances()));
        }
    }
}
