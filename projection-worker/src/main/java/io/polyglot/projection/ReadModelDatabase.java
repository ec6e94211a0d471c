package io.polyglot.projection;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.polyglot.runtime.DatabaseUrl;
import io.polyglot.runtime.DependencyCheck;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;

/** The connection pool to the read model's database. */
public final class ReadModelDatabase {

    /**
     * The worker applies up to {@link ProjectionWorker#APPLY_GROUPS} batches at a time, one connection each; one more
     * covers a connection being replaced.
     */
    private static final int POOL_SIZE = ProjectionWorker.APPLY_GROUPS + 1;

    /**
     * How long taking a connection may wait: short, because while the database is down the poll loop waits this long
     * per attempt (Hikari's default is 30 s).
     */
    private static final long CONNECTION_TIMEOUT_MILLIS = 5_000;

    /** How often readiness may ask PostgreSQL whether it answers, and how long it waits for the answer. */
    private static final Duration CHECK_INTERVAL = Duration.ofSeconds(2);

    private static final Duration CHECK_TIMEOUT = Duration.ofSeconds(1);

    private ReadModelDatabase() {}

    public static HikariDataSource pool(DatabaseUrl url) {
        return pool(url, POOL_SIZE);
    }

    /** A pool of {@code size} connections. */
    public static HikariDataSource pool(DatabaseUrl url, int size) {
        HikariConfig config = config(url, "read-model", size);
        config.setMinimumIdle(1);
        return new HikariDataSource(config);
    }

    /**
     * Whether the database answers, for readiness: a connection of a pool of its own, so that batches holding every
     * connection of the worker's pool do not make a busy database look down, and the pool's connection is checked
     * when taken, so a database that went away is noticed even with no batch to apply.
     */
    public static DependencyCheck check(DatabaseUrl url) {
        HikariConfig config = config(url, "read-model-check", 1);
        config.setMinimumIdle(0);
        config.setInitializationFailTimeout(-1);
        HikariDataSource pool = new HikariDataSource(config);
        return new DependencyCheck(
                "The read-model database",
                () -> {
                    try (Connection connection = pool.getConnection()) {
                        return connection.isValid((int) CHECK_TIMEOUT.toSeconds());
                    } catch (SQLException e) {
                        return false;
                    }
                },
                CHECK_INTERVAL,
                CHECK_TIMEOUT,
                pool::close);
    }

    private static HikariConfig config(DatabaseUrl url, String name, int size) {
        HikariConfig config = new HikariConfig();
        config.setPoolName(name);
        config.setJdbcUrl(url.jdbcUrl());
        config.setUsername(url.user());
        config.setPassword(url.password());
        config.setMaximumPoolSize(size);
        config.setConnectionTimeout(CONNECTION_TIMEOUT_MILLIS);
        return config;
    }
}
