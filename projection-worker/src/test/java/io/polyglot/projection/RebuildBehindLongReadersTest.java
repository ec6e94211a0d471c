package io.polyglot.projection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import io.polyglot.projection.readmodel.PostgresReadModelRebuild;
import io.polyglot.projection.rebuild.LeftOutRecords;
import io.polyglot.projection.rebuild.ProjectionRebuild;
import io.polyglot.projection.rebuild.RebuildMain;
import io.polyglot.projection.rebuild.SwapGaveUpException;
import io.polyglot.runtime.DatabaseUrl;
import io.polyglot.stack.PostgresServer;
import io.polyglot.testservers.TestKafka;
import io.polyglot.testservers.TestServers;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A rebuild's swap while a user's long query holds a view, through the read-only login {@value PostgresServer#READER}
 * that the stack gives people: the swap waits for its locks a lock timeout at a time, so the other readers of the
 * view are never held up for longer, and it swaps once the long query ends, or gives up when it does not. The test
 * starts its own PostgreSQL, since only the stack's launcher makes the read-only login.
 */
class RebuildBehindLongReadersTest {

    private static final int PARTITIONS = 3;
    private static final Duration LOCK_TIMEOUT = Duration.ofMillis(500);
    private static final String LONG_QUERY = "select count(*), pg_sleep(600) from loan_applications";

    @TempDir
    static Path dataDir;

    private static TestKafka kafka;
    private static Admin admin;
    private static PostgresServer postgres;
    private static TestDatabase database;
    private static DatabaseUrl readerLogin;

    private final ByteArrayOutputStream progress = new ByteArrayOutputStream();
    private TestWorkers workers;
    private HikariDataSource pool;
    private LongReader longReader;

    @BeforeAll
    static void startTheServers() {
        kafka = TestServers.kafka(dataDir.resolve("kafka"));
        admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()));
        postgres = PostgresServer.start(dataDir.resolve("postgres"), 0, PostgresServer.Durability.NO_FSYNC);
        database = TestDatabase.on(postgres);
        readerLogin = DatabaseUrl.parse(postgres.ensureReader());
    }

    @AfterAll
    static void stopTheServers() throws Exception {
        for (AutoCloseable server : new AutoCloseable[] {postgres, admin, kafka}) {
            if (server != null) {
                server.close();
            }
        }
    }

    @BeforeEach
    void projectALogWithALiveWorker() throws Exception {
        database.empty();
        workers = TestWorkers.onANewTopic(kafka.bootstrapServers(), admin, database, PARTITIONS);
        pool = ReadModelDatabase.pool(DatabaseUrl.parse(database.databaseUrl()), RebuildMain.CONNECTIONS);
    }

    @AfterEach
    void endTheReaderAndTheWorkers() throws Exception {
        if (longReader != null) {
            longReader.close();
        }
        workers.close();
        pool.close();
    }

    @Test
    void aSwapHeldUpByALongReaderLetsTheOtherReadersThroughAndSwapsOnceTheLongQueryEnds() throws Exception {
        // given a live worker that projected a log, a live table that no longer matches it, and a user's long query
        // of the view through the read-only login
        SyntheticLog eventLog = projectedByALiveWorker(SyntheticLog.generate(61, 40, 20));
        int tampered = execute("update projection.loan_application set status = 'tampered'");
        longReader = LongReader.start(readerLogin);

        // when every view is rebuilt
        CompletableFuture<ReadModelRebuild.Swapped> rebuilding = CompletableFuture.supplyAsync(
                () -> rebuild(Duration.ofMinutes(2)).run(List.of()));

        // then, from the moment the swap starts, the other readers of the view keep getting answers within its lock
        // timeout and a margin
        await().atMost(Duration.ofMinutes(2)).until(() -> progress().contains("swapping in one transaction"));
        List<Duration> answers = new CopyOnWriteArrayList<>();
        try (Connection reader = readerSession()) {
            await().during(Duration.ofSeconds(6))
                    .atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> {
                        answers.add(timedCountOfTheView(reader));
                        return !rebuilding.isDone();
                    });
        }
        assertThat(answers)
                .hasSizeGreaterThanOrEqualTo(10)
                .allSatisfy(answer -> assertThat(answer).isLessThan(LOCK_TIMEOUT.plusSeconds(2)));

        // and the swap gave up try after try after its lock timeout, naming the long query's session
        await().atMost(Duration.ofMinutes(1)).until(() -> progress().contains("swap try 3 waited"));
        assertThat(progress())
                .contains("swap try 1 waited 500 ms for the views it replaces, held by ")
                .contains("pid " + longReader.pid() + " (" + PostgresServer.READER
                        + ", its start time hidden from this login)");

        // and once the long query ends the swap goes through, and the view shows the rebuilt rows
        longReader.close();
        ReadModelRebuild.Swapped swapped = rebuilding.get(2, TimeUnit.MINUTES);
        assertThat(swapped.rowsDiffering()).containsEntry("loan_application", 2L * tampered);
        assertThat(database.loanApplications())
                .containsExactlyInAnyOrderElementsOf(eventLog.expectedLoanApplications());
        workers.awaitViewsEqualTheFoldOf(eventLog);
    }

    @Test
    void aLongQueryThatOutlastsTheSwapsWaitFailsTheRebuildWithTheOldViewsServing() throws Exception {
        // given a live worker that projected a log, a live table that no longer matches it, and a user's long query
        projectedByALiveWorker(SyntheticLog.generate(62, 30, 10));
        execute("update projection.loan_application set status = 'tampered'");
        longReader = LongReader.start(readerLogin);
        Duration maxWait = Duration.ofSeconds(4);

        // when every view is rebuilt, and the long query goes on
        long started = System.nanoTime();
        CompletableFuture<ReadModelRebuild.Swapped> rebuilding =
                CompletableFuture.supplyAsync(() -> rebuild(maxWait).run(List.of()));

        // then it gives up after its wait, saying who held the views and that nothing changed
        assertThatThrownBy(() -> rebuilding.get(1, TimeUnit.MINUTES))
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOf(SwapGaveUpException.class)
                .hasMessageContaining("held by pid " + longReader.pid())
                .hasMessageContaining("the old views serve on as they were and the rebuilt copies were dropped");
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        assertThat(took).isGreaterThanOrEqualTo(maxWait);

        // and the old views and tables serve as before, with no copies left behind
        try (Connection reader = readerSession();
                Statement statement = reader.createStatement();
                ResultSet rows = statement.executeQuery(
                        "select count(*) filter (where status <> 'tampered'), count(*) from loan_applications")) {
            rows.next();
            assertThat(rows.getLong(1)).isZero();
            assertThat(rows.getLong(2)).isPositive();
        }
        assertThat(query("select count(*) from pg_namespace where nspname = 'projection_rebuild'"))
                .isZero();
        assertThat(progress()).doesNotContain("swapped in");
    }

    private SyntheticLog projectedByALiveWorker(SyntheticLog eventLog) {
        eventLog.produceTo(kafka.bootstrapServers(), workers.topic());
        workers.start(50);
        workers.awaitViewsEqualTheFoldOf(eventLog);
        return eventLog;
    }

    private ProjectionRebuild rebuild(Duration swapMaxWait) {
        return new ProjectionRebuild(
                kafka.bootstrapServers(),
                workers.topic(),
                workers.group(),
                Map.of(),
                new PostgresReadModelRebuild(pool, workers.group(), LOCK_TIMEOUT),
                swapMaxWait,
                LeftOutRecords.NONE,
                new PrintStream(progress, true, StandardCharsets.UTF_8),
                Clock.systemUTC());
    }

    private String progress() {
        return progress.toString(StandardCharsets.UTF_8);
    }

    private static Connection readerSession() throws SQLException {
        return DriverManager.getConnection(readerLogin.jdbcUrl(), readerLogin.user(), readerLogin.password());
    }

    /** How long a count of the view takes; a query held up for 20 s fails instead of hanging the test. */
    private static Duration timedCountOfTheView(Connection reader) throws SQLException {
        long started = System.nanoTime();
        try (Statement statement = reader.createStatement()) {
            statement.execute("set statement_timeout = '20s'");
            try (ResultSet rows = statement.executeQuery("select count(*) from loan_applications")) {
                rows.next();
            }
        }
        return Duration.ofNanos(System.nanoTime() - started);
    }

    private static int execute(String sql) throws SQLException {
        try (Connection connection = database.dataSource().getConnection();
                Statement statement = connection.createStatement()) {
            return statement.executeUpdate(sql);
        }
    }

    private static long query(String sql) throws SQLException {
        try (Connection connection = database.dataSource().getConnection();
                Statement statement = connection.createStatement();
                ResultSet result = statement.executeQuery(sql)) {
            result.next();
            return result.getLong(1);
        }
    }

    /**
     * A session that runs {@value #LONG_QUERY} with its own statement timeout off, holding its lock on the view until
     * it is closed; started once the lock is held.
     */
    private record LongReader(Connection connection, Statement statement, int pid, CompletableFuture<Void> running)
            implements AutoCloseable {

        static LongReader start(DatabaseUrl login) throws SQLException {
            Connection connection = DriverManager.getConnection(login.jdbcUrl(), login.user(), login.password());
            Statement statement = connection.createStatement();
            statement.execute("set statement_timeout = 0");
            int pid;
            try (ResultSet result = statement.executeQuery("select pg_backend_pid()")) {
                result.next();
                pid = result.getInt(1);
            }
            CompletableFuture<Void> running = CompletableFuture.runAsync(() -> {
                try {
                    statement.executeQuery(LONG_QUERY).close();
                } catch (SQLException e) {
                    // Cancelled by close(): the query ended, which is all the test needs of it.
                }
            });
            await().atMost(Duration.ofSeconds(30)).until(() -> holdsTheView(pid));
            return new LongReader(connection, statement, pid, running);
        }

        private static boolean holdsTheView(int pid) throws SQLException {
            try (Connection connection = database.dataSource().getConnection();
                    PreparedStatement statement = connection.prepareStatement("select count(*) from pg_locks"
                            + " where pid = ? and granted and relation = 'public.loan_applications'::regclass")) {
                statement.setInt(1, pid);
                try (ResultSet result = statement.executeQuery()) {
                    result.next();
                    return result.getLong(1) > 0;
                }
            }
        }

        @Override
        public void close() throws Exception {
            if (connection.isClosed()) {
                return;
            }
            statement.cancel();
            running.get(1, TimeUnit.MINUTES);
            connection.close();
        }
    }
}
