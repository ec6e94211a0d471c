package io.polyglot.projection;

import static io.polyglot.projection.TestWorkers.PROJECTED_WITHIN;
import static io.polyglot.projection.TestWorkers.skipped;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.polyglot.projection.TestWorkers.Running;
import io.polyglot.projection.domain.ReadModelBatch;
import io.polyglot.projection.readmodel.PostgresReadModelStore;
import io.polyglot.stack.PostgresServer;
import io.polyglot.testservers.TestKafka;
import io.polyglot.testservers.TestServers;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PostgreSQL stops under a running worker and comes back: the real server, stopped and started again by this test on
 * the same port and cluster (not the shared test servers, which cannot be stopped and restarted).
 */
class DatabaseOutageTest {

    private static final int PARTITIONS = 3;

    @TempDir
    static Path dataDir;

    private static TestKafka kafka;
    private static Admin admin;
    private static PostgresServer postgres;

    @BeforeAll
    static void startKafka() {
        kafka = TestServers.kafka(dataDir.resolve("kafka"));
        admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()));
    }

    @AfterAll
    static void stopTheServers() {
        if (postgres != null) {
            postgres.close();
        }
        if (admin != null) {
            admin.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void pausesWhilePostgresIsDownAndResumesByItselfWithNothingLostOrDoubled() throws Exception {
        // given a worker that projected the first part of a log
        postgres = PostgresServer.start(dataDir.resolve("postgres"), 0, PostgresServer.Durability.NO_FSYNC);
        int port = postgres.port();
        TestDatabase database = TestDatabase.on(postgres);
        SyntheticLog eventLog = SyntheticLog.generate(21, 60, 40);
        int firstPart = eventLog.entries().size() / 2;
        AtomicInteger attempts = new AtomicInteger();
        try (TestWorkers workers = TestWorkers.onANewTopic(kafka.bootstrapServers(), admin, database, PARTITIONS)) {
            eventLog.firstPart(firstPart).produceTo(kafka.bootstrapServers(), workers.topic());
            Running worker = workers.start(
                    25,
                    Map.of("DATABASE_RETRY_MAX_DELAY", "1s"),
                    pool -> countingAttempts(new PostgresReadModelStore(pool, workers.group()), attempts),
                    BatchPause.NONE);
            workers.awaitViewsEqualTheFoldOf(eventLog.firstPart(firstPart));

            // when PostgreSQL stops while the rest of the log arrives
            postgres.close();
            eventLog.rest(firstPart).produceTo(kafka.bootstrapServers(), workers.topic());

            // then the worker pauses, stays in its group and retries with growing pauses, no faster
            await().atMost(PROJECTED_WITHIN).until(() -> worker.worker().isWaitingForTheDatabase());
            int attemptsWhenPaused = attempts.get();
            await().during(Duration.ofSeconds(8))
                    .atMost(Duration.ofSeconds(30))
                    .until(() -> worker.worker().isWaitingForTheDatabase()
                            && !worker.worker().isConsuming()
                            && worker.worker().failure().isEmpty()
                            && worker.worker().ownedPartitions().size() == PARTITIONS);
            assertThat(attempts.get() - attemptsWhenPaused).isBetween(1, 12);

            // and once PostgreSQL is back on its port, it resumes by itself and the views are exact
            postgres = PostgresServer.start(dataDir.resolve("postgres"), port, PostgresServer.Durability.NO_FSYNC);
            workers.awaitViewsEqualTheFoldOf(eventLog);
            await().atMost(PROJECTED_WITHIN).until(() -> worker.worker().isConsuming());
            assertThat(Arrays.stream(SkipReason.values()).mapToLong(reason -> skipped(worker.registry(), reason)))
                    .containsOnly(0L);
        }
    }

    /** The real store, counting every batch it is asked to apply, those the database never took included. */
    private static ReadModelStore countingAttempts(PostgresReadModelStore real, AtomicInteger attempts) {
        return new ReadModelStore() {
            @Override
            public Map<Integer, Long> storedOffsets(String topic, Collection<Integer> partitions) {
                return real.storedOffsets(topic, partitions);
            }

            @Override
            public BatchOutcome apply(ReadModelBatch batch) {
                attempts.incrementAndGet();
                return real.apply(batch);
            }
        };
    }
}
