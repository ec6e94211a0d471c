package io.polyglot.projection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.polyglot.projection.readmodel.PostgresReadModelStore;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * In-JVM projection workers of one test: a fresh topic and group on the test's Kafka and PostgreSQL, each worker
 * with its own pool and metrics, and the checks the tests share.
 */
final class TestWorkers implements AutoCloseable {

    static final Duration PROJECTED_WITHIN = Duration.ofSeconds(90);

    private static final Logger log = LoggerFactory.getLogger(TestWorkers.class);

    private final String bootstrapServers;
    private final TestDatabase database;
    private final String topic;
    private final String deadLetterTopic;
    private final String group;
    private final int partitions;
    private final List<Running> running = new ArrayList<>();

    private TestWorkers(
            String bootstrapServers, TestDatabase database, String topic, String deadLetterTopic, int partitions) {
        this.bootstrapServers = bootstrapServers;
        this.database = database;
        this.topic = topic;
        this.deadLetterTopic = deadLetterTopic;
        this.group = "projection-" + UUID.randomUUID();
        this.partitions = partitions;
    }

    /**
     * Creates a fresh topic of {@code partitions} partitions and a dead-letter topic of its own, and waits until each
     * partition has a leader.
     */
    static TestWorkers onANewTopic(String bootstrapServers, Admin admin, TestDatabase database, int partitions)
            throws Exception {
        String topic = "events-" + UUID.randomUUID();
        String deadLetterTopic = "dlq-" + UUID.randomUUID();
        admin.createTopics(List.of(
                        new NewTopic(topic, partitions, (short) 1), new NewTopic(deadLetterTopic, 1, (short) 1)))
                .all()
                .get();
        await().atMost(Duration.ofSeconds(30))
                .until(() ->
                        admin.describeTopics(List.of(topic, deadLetterTopic)).allTopicNames().get().values().stream()
                                .flatMap(description -> description.partitions().stream())
                                .allMatch(partition -> partition.leader() != null));
        return new TestWorkers(bootstrapServers, database, topic, deadLetterTopic, partitions);
    }

    /** Sends {@code value} to a partition of the topic chosen by number, not by key, and waits for the ack. */
    void send(int partition, String key, byte[] value) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(
                Map.of("bootstrap.servers", bootstrapServers, "acks", "all"),
                new ByteArraySerializer(),
                new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(topic, partition, key.getBytes(StandardCharsets.UTF_8), value))
                    .get(2, TimeUnit.MINUTES);
        }
    }

    String deadLetterTopic() {
        return deadLetterTopic;
    }

    String topic() {
        return topic;
    }

    String group() {
        return group;
    }

    /** The settings a worker of this test runs with, before {@code extra} is laid over them. */
    Map<String, String> environment(int maxPollRecords, Map<String, String> extra) {
        Map<String, String> env = new HashMap<>();
        env.put("KAFKA_BOOTSTRAP_SERVERS", bootstrapServers);
        env.put("DATABASE_URL", database.databaseUrl());
        env.put("PROJECTION_TOPIC", topic);
        env.put("PROJECTION_GROUP", group);
        env.put("PROJECTION_DLQ_TOPIC", deadLetterTopic);
        env.put("HEALTH_PORT", "0");
        env.put("PROJECTION_POLL_TIMEOUT", "100ms");
        env.put("KAFKA_CONSUMER_MAX_POLL_RECORDS", Integer.toString(maxPollRecords));
        env.putAll(extra);
        return env;
    }

    Running start(int maxPollRecords) {
        return start(maxPollRecords, Map.of(), pool -> new PostgresReadModelStore(pool, group), BatchPause.NONE);
    }

    /** Starts a worker whose store {@code stores} makes from the worker's pool, holding batches where it pauses. */
    Running start(
            int maxPollRecords,
            Map<String, String> extra,
            Function<HikariDataSource, ReadModelStore> stores,
            BatchPause pause) {
        ProjectionConfig config = ProjectionConfig.fromEnvironment(environment(maxPollRecords, extra), log);
        HikariDataSource pool = ReadModelDatabase.pool(config.database());
        MeterRegistry registry = new SimpleMeterRegistry();
        ProjectionWorker worker =
                ProjectionWorker.start(config, stores.apply(pool), registry, Clock.systemUTC(), pause);
        Running started = new Running(worker, pool, registry);
        running.add(started);
        return started;
    }

    void awaitViewsEqualTheFoldOf(SyntheticLog eventLog) {
        List<TestDatabase.LoanApplicationRow> loans = eventLog.expectedLoanApplications();
        List<TestDatabase.ActivityCountRow> counts = eventLog.expectedLoanActivityCounts();
        List<TestDatabase.HelpdeskTicketRow> tickets = eventLog.expectedHelpdeskTickets();
        await().atMost(PROJECTED_WITHIN).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
            assertThat(database.loanApplications()).containsExactlyInAnyOrderElementsOf(loans);
            assertThat(database.loanActivityCounts()).containsExactlyInAnyOrderElementsOf(counts);
            assertThat(database.helpdeskTickets()).containsExactlyInAnyOrderElementsOf(tickets);
        });
    }

    /** The stored next offset of every partition of the topic, -1 where none is stored. */
    Map<Integer, Long> storedOffsets() throws SQLException {
        Map<Integer, Long> stored = new HashMap<>();
        for (int partition = 0; partition < partitions; partition++) {
            stored.put(partition, database.storedOffset(group, topic, partition));
        }
        return stored;
    }

    static long projected(MeterRegistry registry, String projection) {
        return (long) registry.get("polyglot.events.projected")
                .tag("projection", projection)
                .counter()
                .count();
    }

    static long fenced(MeterRegistry registry) {
        return (long)
                registry.get("polyglot.projection.batches.fenced").counter().count();
    }

    static long skipped(MeterRegistry registry, SkipReason reason) {
        return (long) registry.get("polyglot.projection.records.skipped")
                .tag("reason", reason.tag())
                .counter()
                .count();
    }

    @Override
    public void close() {
        running.forEach(Running::close);
    }

    /** A started worker with its own pool and metrics. */
    record Running(ProjectionWorker worker, HikariDataSource pool, MeterRegistry registry) implements AutoCloseable {
        @Override
        public void close() {
            worker.close();
            pool.close();
        }
    }
}
