package io.polyglot.stack;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PostgresServerRestartTest {
    @TempDir
    Path dataDir;

    @Test
    void keepsRowsPasswordAndPortAcrossARestartAndLeavesNoProcessWhenClosed() throws SQLException {
        // given
        PostgresServer first = PostgresServer.start(dataDir, 0);
        try (Connection connection = DriverManager.getConnection(first.jdbcUrl(), first.user(), first.password());
                Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE survivors (name text)");
            statement.execute("INSERT INTO survivors VALUES ('kept')");
        }

        // when
        first.close();
        PostgresServer second = PostgresServer.start(dataDir, first.port());

        // then
        try (second;
                Connection connection =
                        DriverManager.getConnection(second.jdbcUrl(), second.user(), second.password());
                Statement statement = connection.createStatement();
                ResultSet row = statement.executeQuery("SELECT name FROM survivors")) {
            assertThat(ProcessHandle.of(first.pid()).map(ProcessHandle::isAlive))
                    .isNotEqualTo(java.util.Optional.of(true));
            assertThat(second.port()).isEqualTo(first.port());
            assertThat(second.password()).isEqualTo(first.password());
            assertThat(row.next()).isTrue();
            assertThat(row.getString(1)).isEqualTo("kept");
        }
        assertThat(second.isRunning()).isFalse();
        assertThat(PostgresServer.attach(dataDir)).isEmpty();
    }
}
