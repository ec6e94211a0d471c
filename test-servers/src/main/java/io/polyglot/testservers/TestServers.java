package io.polyglot.testservers;

import io.polyglot.stack.KafkaBroker;
import io.polyglot.stack.PostgresServer;
import io.polyglot.stack.S3Server;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import org.testcontainers.containers.MinIOContainer;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.postgresql.PostgreSQLContainer;

/**
 * Where the integration tests get their servers. By default they are the ones the project runs itself (the launchers
 * of {@code local-stack}, which need no Docker engine). With {@code POLYGLOT_TEST_SERVERS=testcontainers} (or the
 * system property {@code polyglot.test.servers}) the same tests run against Kafka, PostgreSQL and MinIO containers
 * instead, which needs a Docker engine; without one the tests fail, they are never skipped.
 */
public final class TestServers {

    /** The name of the switch, as an environment variable. */
    public static final String SWITCH = "POLYGLOT_TEST_SERVERS";

    static final String KAFKA_IMAGE = "apache/kafka:4.0.0";
    static final String POSTGRES_IMAGE = "postgres:15.8";
    static final String MINIO_IMAGE = "minio/minio:RELEASE.2024-12-18T13-15-44Z";
    private static final String MINIO_REGION = "us-east-1";

    /** Which servers the tests run against. */
    public enum Kind {
        /** Real servers started by the project's own launchers, as child processes on loopback. */
        LOCAL,
        /** Real servers in containers started by Testcontainers. */
        TESTCONTAINERS
    }

    private TestServers() {}

    /** The kind the switch selects. */
    public static Kind kind() {
        String chosen = System.getProperty("polyglot.test.servers", System.getenv(SWITCH));
        if (chosen == null || chosen.isBlank()) {
            return Kind.LOCAL;
        }
        return switch (chosen.trim().toLowerCase(Locale.ROOT)) {
            case "local" -> Kind.LOCAL;
            case "testcontainers" -> Kind.TESTCONTAINERS;
            default ->
                throw new IllegalArgumentException(
                        SWITCH + "=" + chosen + " is not a kind of test servers: use local or testcontainers");
        };
    }

    /** A Kafka broker; a local one keeps its data in {@code dataDir}. */
    public static TestKafka kafka(Path dataDir) {
        if (kind() == Kind.LOCAL) {
            KafkaBroker broker = KafkaBroker.start(dataDir, 0);
            return new TestKafka() {
                @Override
                public String bootstrapServers() {
                    return broker.bootstrapServers();
                }

                @Override
                public void close() {
                    broker.close();
                }
            };
        }
        KafkaContainer container = new KafkaContainer(KAFKA_IMAGE);
        container.start();
        return new TestKafka() {
            @Override
            public String bootstrapServers() {
                return container.getBootstrapServers();
            }

            @Override
            public void close() {
                container.stop();
            }
        };
    }

    /** A PostgreSQL server with fsync off (tests need no durability across power loss). */
    public static TestPostgres postgres(Path dataDir) {
        if (kind() == Kind.LOCAL) {
            PostgresServer server = PostgresServer.start(dataDir, 0, PostgresServer.Durability.NO_FSYNC);
            return new TestPostgres() {
                @Override
                public String jdbcUrl() {
                    return server.jdbcUrl();
                }

                @Override
                public String databaseUrl() {
                    return server.databaseUrl();
                }

                @Override
                public String user() {
                    return server.user();
                }

                @Override
                public String password() {
                    return server.password();
                }

                @Override
                public void close() {
                    server.close();
                }
            };
        }
        PostgreSQLContainer container = new PostgreSQLContainer(POSTGRES_IMAGE)
                .withDatabaseName("polyglot")
                .withUsername("polyglot")
                .withPassword("polyglot")
                .withCommand("postgres", "-c", "fsync=off");
        container.start();
        return new TestPostgres() {
            @Override
            public String jdbcUrl() {
                return container.getJdbcUrl();
            }

            @Override
            public String databaseUrl() {
                return "postgresql://" + encode(container.getUsername()) + ":" + encode(container.getPassword()) + "@"
                        + container.getHost() + ":" + container.getMappedPort(5432) + "/"
                        + container.getDatabaseName();
            }

            @Override
            public String user() {
                return container.getUsername();
            }

            @Override
            public String password() {
                return container.getPassword();
            }

            @Override
            public void close() {
                container.stop();
            }
        };
    }

    /** An S3-compatible server: S3Proxy locally, MinIO in a container. */
    public static TestS3 s3(Path dataDir) {
        if (kind() == Kind.LOCAL) {
            S3Server server = S3Server.start(dataDir, 0);
            return new TestS3() {
                @Override
                public String endpoint() {
                    return server.endpoint();
                }

                @Override
                public String region() {
                    return server.region();
                }

                @Override
                public String accessKey() {
                    return server.accessKey();
                }

                @Override
                public String secretKey() {
                    return server.secretKey();
                }

                @Override
                public void close() {
                    server.close();
                }
            };
        }
        MinIOContainer container = new MinIOContainer(MINIO_IMAGE);
        container.start();
        return new TestS3() {
            @Override
            public String endpoint() {
                return container.getS3URL();
            }

            @Override
            public String region() {
                return MINIO_REGION;
            }

            @Override
            public String accessKey() {
                return container.getUserName();
            }

            @Override
            public String secretKey() {
                return container.getPassword();
            }

            @Override
            public void close() {
                container.stop();
            }
        };
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }
}
