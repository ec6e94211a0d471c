package io.polyglot.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PostgresServerTest {
    @TempDir
    static Path dataDir;

    static PostgresServer server;

    @BeforeAll
    static void startServer() {
        server = PostgresServer.start(dataDir, 0, PostgresServer.Durability.NO_FSYNC);
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    @Test
    void answersAJdbcQueryAsThePolyglotRoleOnLoopback() throws SQLException {
        // given
        String query = "SELECT current_user, current_database(), host(inet_server_addr()), inet_server_port()";

        // when
        try (Connection connection = DriverManager.getConnection(server.jdbcUrl(), server.user(), server.password());
                Statement statement = connection.createStatement();
                ResultSet row = statement.executeQuery(query)) {
            row.next();

            // then
            assertThat(row.getString(1)).isEqualTo("polyglot");
            assertThat(row.getString(2)).isEqualTo("polyglot");
            assertThat(row.getString(3)).isEqualTo("127.0.0.1");
            assertThat(row.getInt(4)).isEqualTo(server.port());
        }
    }

    @Test
    void letsThePolyglotRoleCreateTablesInItsDatabase() throws SQLException {
        // given
        try (Connection connection = DriverManager.getConnection(server.jdbcUrl(), server.user(), server.password());
                Statement statement = connection.createStatement()) {

            // when
            statement.execute("CREATE TABLE owned_by_polyglot (id bigint PRIMARY KEY)");
            statement.execute("INSERT INTO owned_by_polyglot VALUES (7)");

            // then
            try (ResultSet row = statement.executeQuery("SELECT tableowner FROM pg_tables"
                    + " WHERE tablename = 'owned_by_polyglot' AND schemaname = 'public'")) {
                assertThat(row.next()).isTrue();
                assertThat(row.getString(1)).isEqualTo("polyglot");
            }
        }
    }

    @Test
    void refusesAWrongPassword() {
        // given
        String wrongPassword = server.password() + "x";

        // when / then
        assertThatThrownBy(() -> DriverManager.getConnection(server.jdbcUrl(), server.user(), wrongPassword)
                        .close())
                .isInstanceOf(SQLException.class)
                .hasMessageContaining("password authentication failed");
    }

    @Test
    void givesTheDatabaseUrlInLibpqFormWithTheSameCredentials() {
        // given
        URI url = URI.create(server.databaseUrl());

        // then
        assertThat(url.getScheme()).isEqualTo("postgresql");
        assertThat(url.getUserInfo()).isEqualTo(server.user() + ":" + server.password());
        assertThat(url.getHost()).isEqualTo("127.0.0.1");
        assertThat(url.getPort()).isEqualTo(server.port());
        assertThat(url.getPath()).isEqualTo("/polyglot");
        assertThat(server.jdbcUrl()).isEqualTo("jdbc:postgresql://127.0.0.1:" + server.port() + "/polyglot");
    }

    @Test
    void runsAsTheUnprivilegedPostgresAccountWhenStartedByRoot() {
        // given
        String expectedOwner =
                "root".equals(System.getProperty("user.name")) ? "postgres" : System.getProperty("user.name");

        // when
        String owner = ProcessHandle.of(server.pid())
                .flatMap(process -> process.info().user())
                .orElseThrow();

        // then
        assertThat(owner).isEqualTo(expectedOwner);
    }

    @Test
    void attachesToTheServerRunningOnADataFolder() {
        // when
        PostgresServer attached = PostgresServer.attach(dataDir).orElseThrow();

        // then
        assertThat(attached.pid()).isEqualTo(server.pid());
        assertThat(attached.port()).isEqualTo(server.port());
        assertThat(attached.databaseUrl()).isEqualTo(server.databaseUrl());
    }

    @Test
    void refusesToStartASecondServerOnTheSameDataFolder() {
        // when / then
        assertThatThrownBy(() -> PostgresServer.start(dataDir, 0, PostgresServer.Durability.NO_FSYNC))
                .isInstanceOf(ServerStartException.class)
                .hasMessageContaining("already runs")
                .hasMessageContaining(String.valueOf(server.pid()));
    }

    @Test
    void givesAReadOnlyLoginThatReadsTheViewsOfPublicCreatedLaterAndNothingElse() throws SQLException {
        // given: the read-only login, then a table in schema projection and a view over it in public, as the
        // projection worker creates them
        URI reader = URI.create(server.ensureReader());
        try (Connection owner = DriverManager.getConnection(server.jdbcUrl(), server.user(), server.password());
                Statement statement = owner.createStatement()) {
            statement.execute("CREATE SCHEMA IF NOT EXISTS projection");
            statement.execute("CREATE TABLE projection.counted (id bigint PRIMARY KEY)");
            statement.execute("INSERT INTO projection.counted VALUES (1), (2), (3)");
            statement.execute("CREATE VIEW public.counted AS SELECT id FROM projection.counted");
        }

        // when
        try (Connection connection = readerConnection(reader);
                Statement statement = connection.createStatement()) {

            // then: the view answers, in a read-only session
            try (ResultSet row = statement.executeQuery(
                    "SELECT count(*), current_user, current_setting('transaction_read_only') FROM public.counted")) {
                row.next();
                assertThat(row.getLong(1)).isEqualTo(3);
                assertThat(row.getString(2)).isEqualTo(PostgresServer.READER);
                assertThat(row.getString(3)).isEqualTo("on");
            }
            assertThat(refusal(statement, "CREATE TEMPORARY TABLE scratch (id bigint)"))
                    .isEqualTo("25006");

            // and: the privileges refuse every write, also to a session that asks to write
            statement.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE");
            assertThat(refusal(statement, "DELETE FROM public.counted")).isEqualTo("42501");
            assertThat(refusal(statement, "INSERT INTO public.counted VALUES (4)"))
                    .isEqualTo("42501");
            assertThat(refusal(statement, "SELECT count(*) FROM projection.counted"))
                    .isEqualTo("42501");
            assertThat(refusal(statement, "CREATE TEMPORARY TABLE scratch (id bigint)"))
                    .isEqualTo("42501");
            assertThat(refusal(statement, "CREATE TABLE public.readers_own (id bigint)"))
                    .isEqualTo("42501");
        }
    }

    @Test
    void keepsTheReadOnlyLoginAndItsPasswordWhenAskedAgain() throws SQLException {
        // given
        String first = server.ensureReader();

        // when
        String second = server.ensureReader();

        // then
        assertThat(second).isEqualTo(first).startsWith("postgresql://" + PostgresServer.READER + ":");
        assertThat(URI.create(second).getPort()).isEqualTo(server.port());
        try (Connection connection = readerConnection(URI.create(second));
                Statement statement = connection.createStatement();
                ResultSet row = statement.executeQuery("SELECT count(*) FROM pg_roles WHERE rolname = current_user")) {
            row.next();
            assertThat(row.getLong(1)).isEqualTo(1);
        }
    }

    @Test
    void refusesTheReadOnlyLoginLargeObjectsAndTheAdvisoryLocksTheWorkersLoginTakes() throws SQLException {
        // given
        URI reader = URI.create(server.ensureReader());

        // when
        try (Connection connection = readerConnection(reader);
                Statement statement = connection.createStatement()) {
            statement.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE");

            // then
            assertThat(refusal(statement, "SELECT lo_create(0)")).isEqualTo("42501");
            assertThat(refusal(statement, "SELECT lo_from_bytea(0, 'x'::bytea)"))
                    .isEqualTo("42501");
            assertThat(refusal(statement, "SELECT pg_advisory_lock(8101813523344813940)"))
                    .isEqualTo("42501");
            assertThat(refusal(statement, "SELECT pg_try_advisory_xact_lock(1, 2)"))
                    .isEqualTo("42501");
            try (ResultSet row =
                    statement.executeQuery("SELECT rolconnlimit FROM pg_roles WHERE rolname = current_user")) {
                row.next();
                assertThat(row.getInt(1)).isEqualTo(PostgresServer.READER_CONNECTIONS);
            }
        }
        try (Connection owner = DriverManager.getConnection(server.jdbcUrl(), server.user(), server.password());
                Statement statement = owner.createStatement();
                ResultSet row = statement.executeQuery(
                        "SELECT pg_try_advisory_lock(8101813523344813940), pg_advisory_unlock(8101813523344813940)")) {
            row.next();
            assertThat(row.getBoolean(1))
                    .as("the worker's login takes the lock")
                    .isTrue();
            assertThat(row.getBoolean(2)).isTrue();
        }
    }

    @Test
    void takesBackThePasswordAndTheSessionDefaultsTheReadOnlyLoginGaveItselfOnItsNextStart() throws SQLException {
        // given: the login turned its sessions writable, with a timeout of its own, and changed its password
        URI reader = URI.create(server.ensureReader());
        try (Connection connection = readerConnection(reader);
                Statement statement = connection.createStatement()) {
            statement.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE");
            statement.execute("ALTER ROLE " + PostgresServer.READER + " SET default_transaction_read_only = off");
            statement.execute("ALTER ROLE " + PostgresServer.READER + " SET statement_timeout = '1ms'");
            statement.execute("ALTER ROLE " + PostgresServer.READER + " PASSWORD 'changed'");
        }

        // when
        URI again = URI.create(server.ensureReader());

        // then
        assertThat(again).isEqualTo(reader);
        try (Connection connection = readerConnection(again);
                Statement statement = connection.createStatement();
                ResultSet row = statement.executeQuery("SELECT current_setting('default_transaction_read_only'),"
                        + " current_setting('statement_timeout'),"
                        + " current_setting('idle_in_transaction_session_timeout')")) {
            row.next();
            assertThat(row.getString(1)).isEqualTo("on");
            assertThat(row.getString(2)).isEqualTo("0");
            assertThat(row.getString(3)).isEqualTo(PostgresServer.READER_IDLE_IN_TRANSACTION);
        }
    }

    private static Connection readerConnection(URI url) throws SQLException {
        String[] login = url.getUserInfo().split(":", 2);
        return DriverManager.getConnection(
                "jdbc:postgresql://" + url.getHost() + ":" + url.getPort() + url.getPath(), login[0], login[1]);
    }

    /** The SQLSTATE of the error that {@code sql} fails with; fails the test when it succeeds. */
    private static String refusal(Statement statement, String sql) {
        try {
            statement.execute(sql);
        } catch (SQLException e) {
            return e.getSQLState();
        }
        throw new AssertionError("expected the read-only login to be refused: " + sql);
    }
}
