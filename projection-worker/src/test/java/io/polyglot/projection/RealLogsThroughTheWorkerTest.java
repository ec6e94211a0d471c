package io.polyglot.projection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.polyglot.projection.readmodel.PostgresReadModelStore;
import io.polyglot.projection.reallogs.LogEvent;
import io.polyglot.projection.reallogs.RealLogViews;
import io.polyglot.projection.reallogs.RealLogs;
import io.polyglot.projection.reallogs.ReferenceFold;
import io.polyglot.projection.reallogs.Tolerances;
import io.polyglot.runtime.KafkaClientConfig;
import io.polyglot.schemas.Limits;
import io.polyglot.schemas.Topics;
import io.polyglot.testservers.TestKafka;
import io.polyglot.testservers.TestServers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole helpdesk and weather logs through a real Kafka topic and the projection worker's own poll loop into a real
 * PostgreSQL, with a restart halfway through every ticket and station: what later events need (a ticket's previous
 * event, a station's day) must come from the tables, and the views must equal the reference fold.
 */
class RealLogsThroughTheWorkerTest {

    private static final Logger log = LoggerFactory.getLogger(RealLogsThroughTheWorkerTest.class);
    private static final String TOPIC = "events-real-logs";
    private static final int PARTITIONS = 3;

    @TempDir
    static Path dataDir;

    private static TestKafka kafka;
    private static TestDatabase database;

    @BeforeAll
    static void startKafkaAndPostgres() {
        kafka = TestServers.kafka(dataDir.resolve("kafka"));
        database = TestDatabase.start(dataDir.resolve("postgres"));
    }

    @AfterAll
    static void stopKafkaAndPostgres() {
        if (database != null) {
            database.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void theHelpdeskAndWeatherLogsProjectedAcrossAWorkerRestartEqualTheReferenceFold() throws Exception {
        // given both logs on a topic of three partitions, the first half of every ticket and station at first
        List<LogEvent> helpdesk = RealLogs.helpdesk();
        List<LogEvent> weather = RealLogs.weather();
        List<LogEvent> both = new ArrayList<>(helpdesk);
        both.addAll(weather);
        Map<String, Long> sizes = both.stream().collect(Collectors.groupingBy(LogEvent::caseId, Collectors.counting()));
        Predicate<LogEvent> firstHalf = event -> event.position() <= (sizes.get(event.caseId()) + 1) / 2;
        List<LogEvent> before = both.stream().filter(firstHalf).toList();
        List<LogEvent> after = both.stream().filter(firstHalf.negate()).toList();
        createTopic();
        produce(before);
        RealLogViews views = new RealLogViews(database.dataSource());

        // when a worker projects the first halves and stops, and another one the rest
        try (Running first = start()) {
            await().atMost(Duration.ofMinutes(3))
                    .pollInterval(Duration.ofMillis(500))
                    .until(() -> applied(views) == before.size());
        }
        produce(after);
        try (Running second = start()) {

            // then
            await().atMost(Duration.ofMinutes(3))
                    .pollInterval(Duration.ofMillis(500))
                    .until(() -> applied(views) == both.size());
            assertThat(views.helpdeskActivityDurations())
                    .usingRecursiveFieldByFieldElementComparator(Tolerances.MEDIANS)
                    .containsExactlyElementsOf(ReferenceFold.helpdeskActivityDurations(helpdesk));
            assertThat(views.weatherDaily())
                    .usingRecursiveFieldByFieldElementComparator(Tolerances.MEANS)
                    .containsExactlyElementsOf(ReferenceFold.weatherDaily(weather));
            assertThat(views.count("select sum(events) from helpdesk_activity_durations"))
                    .isEqualTo(21_348);
            assertThat(views.count("select sum(readings) from weather_daily")).isEqualTo(26_115);
            assertThat(views.count("select count(distinct station) from weather_daily"))
                    .isEqualTo(3);
            assertThat(second.registry()
                            .get("polyglot.events.projected")
                            .tag("projection", "weather_daily")
                            .counter()
                            .count())
                    .isEqualTo(after.stream()
                            .filter(event -> event.aggregateType().equals(RealLogs.WEATHER_STATION))
                            .count());
        }
    }

    private static long applied(RealLogViews views) throws SQLException {
        return views.count("select coalesce(sum(readings), 0) from weather_daily")
                + views.count("select coalesce(sum(events), 0) from helpdesk_activity_durations");
    }

    private static Running start() {
        Map<String, String> env = new HashMap<>();
        env.put("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
        env.put("DATABASE_URL", database.databaseUrl());
        env.put("PROJECTION_TOPIC", TOPIC);
        env.put("PROJECTION_GROUP", "projection-real-logs");
        env.put("HEALTH_PORT", "0");
        env.put("PROJECTION_POLL_TIMEOUT", "100ms");
        ProjectionConfig config = ProjectionConfig.fromEnvironment(env, log);
        MeterRegistry registry = new SimpleMeterRegistry();
        HikariDataSource pool = ReadModelDatabase.pool(config.database());
        ProjectionWorker worker = ProjectionWorker.start(
                config, new PostgresReadModelStore(pool, config.consumerGroup()), registry, Clock.systemUTC());
        return new Running(worker, pool, registry);
    }

    /** A started worker with its own pool and metrics; closing stops the worker, then the pool. */
    private record Running(ProjectionWorker worker, HikariDataSource pool, MeterRegistry registry)
            implements AutoCloseable {
        @Override
        public void close() {
            worker.close();
            pool.close();
        }
    }

    private static void createTopic() throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(TOPIC, PARTITIONS, (short) 1)))
                    .all()
                    .get();
            await().atMost(Duration.ofSeconds(30))
                    .until(() ->
                            admin.describeTopics(List.of(TOPIC)).allTopicNames().get().get(TOPIC).partitions().stream()
                                    .allMatch(partition -> partition.leader() != null));
        }
    }

    /** Produces each event keyed by its case, the way the command service does, and waits for every ack. */
    private static void produce(List<LogEvent> events) throws InterruptedException {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(
                KafkaClientConfig.producer(kafka.bootstrapServers(), Limits.DEFAULT_COMMAND_MAX_BYTES, Map.of()))) {
            List<Future<RecordMetadata>> acks = new ArrayList<>(events.size());
            for (LogEvent event : events) {
                byte[] value = Envelopes.CODEC.encode(Envelopes.activity(
                        event.aggregateType(),
                        event.caseId(),
                        event.activity(),
                        event.lifecycle(),
                        event.occurredAt(),
                        event.attributes()));
                ProducerRecord<byte[], byte[]> record =
                        new ProducerRecord<>(TOPIC, event.caseId().getBytes(StandardCharsets.UTF_8), value);
                record.headers()
                        .add(Topics.HEADER_AGGREGATE_TYPE, event.aggregateType().getBytes(StandardCharsets.UTF_8));
                acks.add(producer.send(record));
            }
            for (Future<RecordMetadata> ack : acks) {
                ack.get(2, TimeUnit.MINUTES);
            }
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("the broker did not take an event", e);
        }
    }
}
