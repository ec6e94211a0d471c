package io.polyglot.dashboard.overview;

import static org.assertj.core.api.Assertions.assertThat;

import io.polyglot.readmodel.ReadModelMigrations;
import io.polyglot.stack.KafkaBroker;
import io.polyglot.stack.PostgresServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The lag of both groups against a real Kafka broker whose {@code events.all} was written in transactions, so that
 * each partition ends in a commit marker, and a real PostgreSQL holding the projection's stored offsets.
 */
class ConsumerLagTest {

    @TempDir
    static Path dataDir;

    private static KafkaBroker kafka;
    private static PostgresServer postgres;
    private static PGSimpleDataSource database;

    @BeforeAll
    static void startKafkaAndPostgres() throws Exception {
        kafka = KafkaBroker.start(dataDir.resolve("kafka"), 0);
        postgres = PostgresServer.start(dataDir.resolve("postgres"), 0, PostgresServer.Durability.NO_FSYNC);
        database = new PGSimpleDataSource();
        database.setUrl(postgres.jdbcUrl());
        database.setUser(postgres.user());
        database.setPassword(postgres.password());
        ReadModelMigrations.migrate(database);
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic(ConsumerLag.TOPIC, 2, (short) 1)))
                    .all()
                    .get();
        }
        // partition 0: records at offsets 0, 1, 2 and the commit marker at 3; partition 1: 0, 1 and the marker at 2
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                kafka.bootstrapServers(),
                ProducerConfig.TRANSACTIONAL_ID_CONFIG,
                "consumer-lag-test",
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG,
                ByteArraySerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG,
                ByteArraySerializer.class))) {
            producer.initTransactions();
            producer.beginTransaction();
            for (int i = 0; i < 3; i++) {
                producer.send(record(0, "a" + i));
            }
            for (int i = 0; i < 2; i++) {
                producer.send(record(1, "b" + i));
            }
            producer.commitTransaction();
        }
    }

    @AfterAll
    static void stopThem() {
        if (postgres != null) {
            postgres.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void countsRecordsNotCommitMarkersBetweenEachGroupsOffsetAndTheEnd() throws Exception {
        // given: the archiver committed past partition 0's marker and only the first record of partition 1; the
        // projection stored the offset after partition 0's last record and nothing for partition 1
        try (Admin admin = admin()) {
            admin.alterConsumerGroupOffsets(
                            ConsumerLag.ARCHIVER_GROUP,
                            Map.of(
                                    new TopicPartition(ConsumerLag.TOPIC, 0), new OffsetAndMetadata(4),
                                    new TopicPartition(ConsumerLag.TOPIC, 1), new OffsetAndMetadata(1)))
                    .all()
                    .get();
        }
        try (Connection connection = database.getConnection();
                Statement statement = connection.createStatement()) {
            statement.execute("INSERT INTO projection.projection_offsets VALUES ('polyglot-projection', 'events.all',"
                    + " 0, 3)");
        }

        // when
        ConsumerLag.Snapshot snapshot;
        try (ConsumerLag lag =
                new ConsumerLag(admin(), Overview.probe(kafka.bootstrapServers()), database, Clock.systemUTC())) {
            snapshot = lag.read();
        }

        // then
        assertThat(snapshot.endOffsets()).isEqualTo(Map.of(0, 4L, 1, 3L));
        assertThat(snapshot.partitions())
                .extracting(
                        p -> p.group() + "/" + p.partition() + " " + p.committed() + ".." + p.end() + " lag " + p.lag())
                .containsExactly(
                        "polyglot-archiver/0 4..4 lag 0",
                        "polyglot-archiver/1 1..3 lag 1",
                        "polyglot-projection/0 3..4 lag 0",
                        "polyglot-projection/1 0..3 lag 2");
        assertThat(snapshot.partitions().get(2).lastAppliedAgeSeconds())
                .isNotNull()
                .isGreaterThanOrEqualTo(0.0);
        assertThat(snapshot.partitions().get(3).lastAppliedAgeSeconds()).isNull();
    }

    private static ProducerRecord<byte[], byte[]> record(int partition, String value) {
        return new ProducerRecord<>(ConsumerLag.TOPIC, partition, null, value.getBytes(StandardCharsets.UTF_8));
    }

    private static Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()));
    }
}
