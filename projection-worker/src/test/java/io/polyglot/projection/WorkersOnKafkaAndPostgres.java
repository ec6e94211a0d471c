package io.polyglot.projection;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * The frame of the tests that run workers: one real Kafka broker and PostgreSQL per test class, and per test an empty
 * read model, a fresh topic of {@value #PARTITIONS} partitions and a fresh group, whose workers stop after the test.
 */
abstract class WorkersOnKafkaAndPostgres {

    static final int PARTITIONS = 3;

    @TempDir
    static Path dataDir;

    static KafkaAndPostgres servers;

    TestWorkers workers;

    @BeforeAll
    static void startKafkaAndPostgres() {
        servers = KafkaAndPostgres.start(dataDir);
    }

    @AfterAll
    static void stopKafkaAndPostgres() {
        if (servers != null) {
            servers.close();
            servers = null;
        }
    }

    @BeforeEach
    void createATopicAndStartFromAnEmptyReadModel() throws Exception {
        workers = servers.freshWorkers(PARTITIONS);
    }

    @AfterEach
    void stopTheWorkers() {
        workers.close();
    }
}
