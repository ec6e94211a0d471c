package io.polyglot.projection;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.polyglot.runtime.DatabaseUrl;

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

    private ReadModelDatabase() {}

    public static HikariDataSource pool(DatabaseUrl url) {
        return pool(url, POOL_SIZE);
    }

    /** A pool of {@code size} connections. */
    public static HikariDataSource pool(DatabaseUrl url, int size) {
        HikariConfig config = new HikariConfig();
        config.setPoolName("read-model");
        config.setJdbcUrl(url.jdbcUrl());
        config.setUsername(url.user());
        config.setPassword(url.password());
        config.setMaximumPoolSize(size);
        config.setMinimumIdle(1);
        config.setConnectionTimeout(CONNECTION_TIMEOUT_MILLIS);
        return new HikariDataSource(config);
    }
}
