package io.polyglot.projection;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.polyglot.runtime.DatabaseUrl;

/** The connection pool to the read model's database. */
final class ReadModelDatabase {

    /** The poll loop holds one connection at a time; the second covers a connection being replaced. */
    private static final int POOL_SIZE = 2;

    private ReadModelDatabase() {}

    static HikariDataSource pool(DatabaseUrl url) {
        HikariConfig config = new HikariConfig();
        config.setPoolName("read-model");
        config.setJdbcUrl(url.jdbcUrl());
        config.setUsername(url.user());
        config.setPassword(url.password());
        config.setMaximumPoolSize(POOL_SIZE);
        config.setMinimumIdle(1);
        return new HikariDataSource(config);
    }
}
