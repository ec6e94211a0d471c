package io.polyglot.projection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.polyglot.projection.domain.ReadModelBatch;
import io.polyglot.projection.readmodel.PostgresReadModelStore;
import io.polyglot.runtime.DatabaseUrl;
import io.polyglot.testservers.TestKafka;
import io.polyglot.testservers.TestServers;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

class ProjectionWorkerTest {

    private static final Logger log = LoggerFactory.getLogger(ProjectionWorkerTest.class);
    private static final int PARTITIONS = 3;
    private static final Duration PROJECTED_WITHIN = Duration.ofSeconds(90);

    @TempDir
    static Path dataDir;

    private static TestKafka kafka;
    private static TestDatabase database;
    private static Admin admin;

    private final List<Running> running = new ArrayList<>();
    private String topic;
    private String group;

    @BeforeAll
    static void startKafkaAndPostgres() {
        kafka = TestServers.kafka(dataDir.resolve("kafka"));
        database = TestDatabase.start(dataDir.resolve("postgres"));
        admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()));
    }

    @AfterAll
    static void stopKafkaAndPostgres() {
        if (admin != null) {
            admin.close();
        }
        if (database != null) {
            database.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    @BeforeEach
    void createATopicAndStartFromAnEmptyReadModel() throws Exception {
        database.empty();
        topic = "events-" + UUID.randomUUID();
        group = "projection-" + UUID.randomUUID();
        admin.createTopics(List.of(new NewTopic(topic, PARTITIONS, (short) 1)))
                .all()
                .get();
        await().atMost(Duration.ofSeconds(30))
                .until(() -> admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().stream()
                        .allMatch(partition -> partition.leader() != null));
    }

    @AfterEach
    void stopTheWorkers() {
        running.forEach(Running::close);
    }

    @Test
    void projectsEventsOfTwoAggregateTypesIntoViewsEqualToAReferenceFold() throws SQLException {
        // given a log of both aggregate types, a record of an unknown type and one that is not an event
        SyntheticLog eventLog = SyntheticLog.generate(1, 60, 40);
        eventLog.produceTo(kafka.bootstrapServers(), topic);
        SyntheticLog.produceNoise(kafka.bootstrapServers(), topic);

        // when
        Running worker = start(200);

        // then
        awaitViewsEqualTheFoldOf(eventLog);
        assertThat(projected(worker.registry(), "loan_applications")).isEqualTo(eventLog.count("LoanApplication"));
        assertThat(projected(worker.registry(), "loan_activity_counts")).isEqualTo(eventLog.count("LoanApplication"));
        assertThat(projected(worker.registry(), "helpdesk_tickets")).isEqualTo(eventLog.count("HelpdeskTicket"));
        assertThat(skipped(worker.registry(), SkipReason.UNDECODABLE)).isEqualTo(1);
        assertThat(skipped(worker.registry(), SkipReason.UNKNOWN_AGGREGATE_TYPE))
                .isEqualTo(1);
        await().atMost(PROJECTED_WITHIN)
                .untilAsserted(() -> assertThat(storedOffsetsInAll())
                        .isEqualTo(eventLog.entries().size() + 2L));
    }

    @Test
    void aRestartedWorkerResumesFromTheStoredOffsetsWithoutCountingTwice() throws SQLException {
        // given a worker that projected the first part of a log and was stopped
        SyntheticLog eventLog = SyntheticLog.generate(2, 80, 40);
        int firstPart = eventLog.entries().size() / 3;
        eventLog.firstPart(firstPart).produceTo(kafka.bootstrapServers(), topic);
        Running first = start(50);
        awaitViewsEqualTheFoldOf(eventLog.firstPart(firstPart));
        first.close();

        // and a second worker stopped while it was still projecting the rest
        eventLog.rest(firstPart).produceTo(kafka.bootstrapServers(), topic);
        Running second = start(10);
        await().atMost(PROJECTED_WITHIN).until(() -> projected(second.registry(), "loan_activity_counts") > 0);
        second.close();
        long projectedBeforeTheLastRestart = database.loanApplications().stream()
                .mapToLong(TestDatabase.LoanApplicationRow::eventCount)
                .sum();
        log.info(
                "Stopped the second worker with {} of {} loan events projected",
                projectedBeforeTheLastRestart,
                eventLog.count("LoanApplication"));

        // when a third worker takes over
        start(200);

        // then
        awaitViewsEqualTheFoldOf(eventLog);
    }

    @Test
    void twoInstancesInOneGroupGiveTheSameExactResult() throws SQLException {
        // given two instances sharing the partitions of the topic
        Running one = start(20);
        Running other = start(20);
        await().atMost(PROJECTED_WITHIN)
                .until(() -> !one.worker().ownedPartitions().isEmpty()
                        && !other.worker().ownedPartitions().isEmpty()
                        && one.worker().ownedPartitions().size()
                                        + other.worker().ownedPartitions().size()
                                == PARTITIONS);

        // when
        SyntheticLog eventLog = SyntheticLog.generate(3, 80, 60);
        eventLog.produceTo(kafka.bootstrapServers(), topic);

        // then
        awaitViewsEqualTheFoldOf(eventLog);
        long loanEvents =
                projected(one.registry(), "loan_applications") + projected(other.registry(), "loan_applications");
        assertThat(loanEvents).isEqualTo(eventLog.count("LoanApplication"));
    }

    @Test
    void aFencedBatchIsNotAppliedAndTheWorkerGoesOnFromTheStoredOffsets() throws SQLException {
        // given a store in which another instance always gets to the first batch just before this one: a test double
        // around the real store, because two real instances cannot be made to race for the same batch on demand
        SyntheticLog eventLog = SyntheticLog.generate(6, 40, 20);
        eventLog.produceTo(kafka.bootstrapServers(), topic);
        HikariDataSource pool = ReadModelDatabase.pool(DatabaseUrl.parse(database.databaseUrl()));
        PostgresReadModelStore real = new PostgresReadModelStore(pool, group);
        AtomicBoolean raced = new AtomicBoolean();
        ReadModelStore overtaken = new ReadModelStore() {
            @Override
            public Map<Integer, Long> storedOffsets(String topicName, Collection<Integer> partitions) {
                return real.storedOffsets(topicName, partitions);
            }

            @Override
            public BatchOutcome apply(ReadModelBatch batch) {
                if (raced.compareAndSet(false, true)) {
                    real.apply(batch);
                }
                return real.apply(batch);
            }
        };

        // when
        Running worker = start(100, overtaken);

        // then
        awaitViewsEqualTheFoldOf(eventLog);
        assertThat(fenced(worker.registry())).isEqualTo(1);
        pool.close();
    }

    private Running start(int maxPollRecords) {
        return start(maxPollRecords, null);
    }

    private Running start(int maxPollRecords, ReadModelStore store) {
        Map<String, String> env = new HashMap<>();
        env.put("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
        env.put("DATABASE_URL", database.databaseUrl());
        env.put("PROJECTION_TOPIC", topic);
        env.put("PROJECTION_GROUP", group);
        env.put("HEALTH_PORT", "0");
        env.put("PROJECTION_POLL_TIMEOUT", "100ms");
        env.put("KAFKA_CONSUMER_MAX_POLL_RECORDS", Integer.toString(maxPollRecords));
        ProjectionConfig config = ProjectionConfig.fromEnvironment(env, log);
        HikariDataSource pool = ReadModelDatabase.pool(config.database());
        MeterRegistry registry = new SimpleMeterRegistry();
        ProjectionWorker worker = ProjectionWorker.start(
                config,
                store != null ? store : new PostgresReadModelStore(pool, config.consumerGroup()),
                registry,
                Clock.systemUTC());
        Running started = new Running(worker, pool, registry);
        running.add(started);
        return started;
    }

    private void awaitViewsEqualTheFoldOf(SyntheticLog eventLog) {
        List<TestDatabase.LoanApplicationRow> loans = eventLog.expectedLoanApplications();
        List<TestDatabase.ActivityCountRow> counts = eventLog.expectedLoanActivityCounts();
        List<TestDatabase.HelpdeskTicketRow> tickets = eventLog.expectedHelpdeskTickets();
        await().atMost(PROJECTED_WITHIN).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
            assertThat(database.loanApplications()).containsExactlyInAnyOrderElementsOf(loans);
            assertThat(database.loanActivityCounts()).containsExactlyInAnyOrderElementsOf(counts);
            assertThat(database.helpdeskTickets()).containsExactlyInAnyOrderElementsOf(tickets);
        });
    }

    private long storedOffsetsInAll() throws SQLException {
        long sum = 0;
        for (int partition = 0; partition < PARTITIONS; partition++) {
            sum += Math.max(0, database.storedOffset(group, topic, partition));
        }
        return sum;
    }

    private static long projected(MeterRegistry registry, String projection) {
        return (long) registry.get("polyglot.events.projected")
                .tag("projection", projection)
                .counter()
                .count();
    }

    private static long fenced(MeterRegistry registry) {
        return (long)
                registry.get("polyglot.projection.batches.fenced").counter().count();
    }

    private static long skipped(MeterRegistry registry, SkipReason reason) {
        return (long) registry.get("polyglot.projection.records.skipped")
                .tag("reason", reason.tag())
                .counter()
                .count();
    }

    /** A started worker with its own pool and metrics. */
    private record Running(ProjectionWorker worker, HikariDataSource pool, MeterRegistry registry)
            implements AutoCloseable {
        @Override
        public void close() {
            worker.close();
            pool.close();
        }
    }
}
