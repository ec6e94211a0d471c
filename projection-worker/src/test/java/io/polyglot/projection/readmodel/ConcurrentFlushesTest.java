package io.polyglot.projection.readmodel;

import static org.assertj.core.api.Assertions.assertThat;

import io.polyglot.projection.BatchPause;
import io.polyglot.projection.ReadModelStore.Applied;
import io.polyglot.projection.ReadModelStore.BatchOutcome;
import io.polyglot.projection.TestDatabase;
import io.polyglot.projection.TestDatabase.LoanApplicationRow;
import io.polyglot.projection.domain.LoanApplicationChange;
import io.polyglot.projection.domain.PartitionAdvance;
import io.polyglot.projection.domain.ReadModelBatch;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two instances whose batches lock the same rows at the same moment. */
class ConcurrentFlushesTest {

    private static final String TOPIC = "events.all";
    private static final int ROWS = 50;
    private static final int ROUNDS = 20;
    private static final Instant NINE = Instant.parse("2011-10-01T09:00:00Z");

    @TempDir
    static Path dataDir;

    private static TestDatabase database;

    @BeforeAll
    static void startTheDatabase() {
        database = TestDatabase.start(dataDir.resolve("postgres"));
    }

    @AfterAll
    static void stopTheDatabase() {
        if (database != null) {
            database.close();
        }
    }

    @Test
    void twoInstancesFlushingTheSame50RowsInOppositeOrdersAtOnceNeitherFailNorDeadlock() throws Exception {
        // given two instances of one group, each owning one partition, whose transactions start together
        database.empty();
        String group = "group-" + UUID.randomUUID();
        CyclicBarrier together = new CyclicBarrier(2);
        List<String> ids = IntStream.range(0, ROWS)
                .mapToObj(i -> String.format("Application_%03d", i))
                .toList();
        List<String> reversed = new ArrayList<>(ids);
        Collections.reverse(reversed);
        AtomicInteger attempts = new AtomicInteger();
        ExecutorService instances = Executors.newFixedThreadPool(2);
        try {
            // when both flush a batch touching all 50 rows, one in ascending and one in descending order, five times
            List<BatchOutcome> outcomes = new ArrayList<>();
            for (int r = 0; r < ROUNDS; r++) {
                int round = r;
                PostgresReadModelStore one =
                        new PostgresReadModelStore(database.dataSource(), group, startingTogether(together, attempts));
                PostgresReadModelStore other =
                        new PostgresReadModelStore(database.dataSource(), group, startingTogether(together, attempts));
                Future<BatchOutcome> ascending = instances.submit(() -> one.apply(batch(0, round, ids)));
                Future<BatchOutcome> descending = instances.submit(() -> other.apply(batch(1, round, reversed)));
                outcomes.add(ascending.get(60, TimeUnit.SECONDS));
                outcomes.add(descending.get(60, TimeUnit.SECONDS));
            }

            // then every batch committed at its first attempt (a deadlock would have retried one), and each row
            // counts every event once
            assertThat(outcomes).hasSize(2 * ROUNDS).allMatch(outcome -> outcome instanceof Applied);
            assertThat(database.loanApplications())
                    .hasSize(ROWS)
                    .extracting(LoanApplicationRow::eventCount)
                    .containsOnly((long) 2 * ROUNDS);
            assertThat(attempts).hasValue(2 * ROUNDS);
        } finally {
            instances.shutdownNow();
        }
    }

    /**
     * Counts the attempts of a batch's transaction, and holds the first at its start until the other instance's is
     * there too.
     */
    private static BatchPause startingTogether(CyclicBarrier together, AtomicInteger attempts) {
        AtomicBoolean first = new AtomicBoolean(true);
        return point -> {
            if (point == BatchPause.Point.TRANSACTION_STARTED) {
                attempts.incrementAndGet();
            }
            if (point == BatchPause.Point.TRANSACTION_STARTED && first.compareAndSet(true, false)) {
                try {
                    together.await(30, TimeUnit.SECONDS);
                } catch (Exception e) {
                    throw new IllegalStateException("the other instance never started its transaction", e);
                }
            }
        };
    }

    /** Round {@code round} of a partition: one event of each application, at offset {@code round}. */
    private static ReadModelBatch batch(int partition, int round, List<String> ids) {
        OptionalLong expected = round == 0 ? OptionalLong.empty() : OptionalLong.of(round);
        List<LoanApplicationChange> changes = ids.stream()
                .map(id -> new LoanApplicationChange(
                        id, "A_SUBMITTED", new BigDecimal("5000"), NINE, NINE, 1, 0, partition, round))
                .toList();
        return new ReadModelBatch(
                TOPIC,
                List.of(new PartitionAdvance(partition, expected, round + 1)),
                changes,
                List.of(),
                List.of(),
                Map.of());
    }
}
