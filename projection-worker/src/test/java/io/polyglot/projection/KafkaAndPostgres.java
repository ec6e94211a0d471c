package io.polyglot.projection;

import io.polyglot.testservers.TestKafka;
import io.polyglot.testservers.TestServers;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/** The real Kafka broker and migrated PostgreSQL a test class shares, and an admin client of the broker. */
final class KafkaAndPostgres implements AutoCloseable {

    private final TestKafka kafka;
    private final TestDatabase database;
    private final Admin admin;

    private KafkaAndPostgres(TestKafka kafka, TestDatabase database, Admin admin) {
        this.kafka = kafka;
        this.database = database;
        this.admin = admin;
    }

    /** Starts both on free loopback ports with their data in {@code dataDir}. */
    static KafkaAndPostgres start(Path dataDir) {
        TestKafka kafka = TestServers.kafka(dataDir.resolve("kafka"));
        TestDatabase database = TestDatabase.start(dataDir.resolve("postgres"));
        Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()));
        return new KafkaAndPostgres(kafka, database, admin);
    }

    String bootstrapServers() {
        return kafka.bootstrapServers();
    }

    TestDatabase database() {
        return database;
    }

    Admin admin() {
        return admin;
    }

    /** Empties the read model and creates a fresh topic of {@code partitions} for the workers of one test. */
    TestWorkers freshWorkers(int partitions) throws Exception {
        database.empty();
        return TestWorkers.onANewTopic(kafka.bootstrapServers(), admin, database, partitions);
    }

    @Override
    public void close() {
        admin.close();
        database.close();
        kafka.close();
    }
}
