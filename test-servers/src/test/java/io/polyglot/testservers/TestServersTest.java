package io.polyglot.testservers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TestServersTest {

    @AfterEach
    void clearTheSwitch() {
        System.clearProperty("polyglot.test.servers");
    }

    @Test
    void runsTheProjectsOwnServersUnlessTheSwitchSaysOtherwise() {
        if (System.getenv(TestServers.SWITCH) == null) {
            assertThat(TestServers.kind()).isEqualTo(TestServers.Kind.LOCAL);
        }
        System.setProperty("polyglot.test.servers", "testcontainers");
        assertThat(TestServers.kind()).isEqualTo(TestServers.Kind.TESTCONTAINERS);
        System.setProperty("polyglot.test.servers", "LOCAL");
        assertThat(TestServers.kind()).isEqualTo(TestServers.Kind.LOCAL);
    }

    @Test
    void refusesAnUnknownKindNamingTheChoices() {
        System.setProperty("polyglot.test.servers", "docker");

        assertThatThrownBy(TestServers::kind)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("use local or testcontainers");
    }

    @Test
    void givesAWorkingPostgresqlOfTheSelectedKind(@TempDir Path dir) throws Exception {
        try (TestPostgres postgres = TestServers.postgres(dir.resolve("pg"));
                Connection connection =
                        DriverManager.getConnection(postgres.jdbcUrl(), postgres.user(), postgres.password());
                Statement statement = connection.createStatement();
                ResultSet row = statement.executeQuery("SELECT current_database(), current_setting('fsync')")) {
            assertThat(row.next()).isTrue();
            assertThat(row.getString(1)).isEqualTo("polyglot");
            assertThat(row.getString(2)).isEqualTo("off");
            assertThat(postgres.databaseUrl()).startsWith("postgresql://polyglot:");
        }
    }
}
