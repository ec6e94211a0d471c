package io.polyglot.projection.rebuild;

import com.zaxxer.hikari.HikariDataSource;
import io.polyglot.projection.ProjectionConfig;
import io.polyglot.projection.ReadModelDatabase;
import io.polyglot.projection.readmodel.PostgresDeadLetterResolutions;
import io.polyglot.projection.readmodel.PostgresReadModelRebuild;
import io.polyglot.readmodel.ReadModelMigrations;
import io.polyglot.runtime.DatabaseUrl;
import io.polyglot.runtime.InvalidSettingException;
import io.polyglot.runtime.deadletter.DeadLetterReader;
import java.io.PrintStream;
import java.sql.SQLException;
import java.time.Clock;
import java.util.List;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code ./polyglot projection rebuild [VIEW...]} runs this in its own process, from the worker's jar: {@code java -cp
 * projection-worker.jar io.polyglot.projection.rebuild.RebuildMain [VIEW...]}, with the worker's settings
 * ({@code KAFKA_BOOTSTRAP_SERVERS}, {@code DATABASE_URL}, {@code PROJECTION_TOPIC}, {@code PROJECTION_GROUP},
 * {@code REBUILD_SWAP_LOCK_TIMEOUT}, {@code REBUILD_SWAP_MAX_WAIT}) in the environment. Progress goes to stderr, and
 * so does the log, from {@value #LOGBACK_CONFIGURATION}: the libraries' lines at WARN and above only. Exits 0 once
 * the views are swapped, 1 when the rebuild failed (the live tables are untouched then), 2 when it could not run
 * (invalid settings, a database it cannot connect to), 3 when it refused to start, 4 when readers held the views for
 * longer than the swap may wait (the old views serve on; try again later).
 */
public final class RebuildMain {

    static final int FAILED = 1;
    static final int COULD_NOT_RUN = 2;
    static final int REFUSED = 3;
    static final int SWAP_GAVE_UP = 4;

    /** The rebuild's logging setup, on the class path beside the worker's own {@code logback.xml}. */
    static final String LOGBACK_CONFIGURATION = "rebuild-logback.xml";

    /** The advisory-lock session, the swap's transaction and the copies' writes each hold a connection. */
    public static final int CONNECTIONS = 4;

    private RebuildMain() {}

    public static void main(String[] args) {
        // Before the first logger exists: the worker's logback.xml would print Flyway's INFO lines on stdout.
        if (System.getProperty("logback.configurationFile") == null) {
            System.setProperty("logback.configurationFile", LOGBACK_CONFIGURATION);
        }
        System.setProperty("org.jooq.no-logo", "true");
        System.setProperty("org.jooq.no-tips", "true");
        System.exit(run(List.of(args)));
    }

    /**
     * A rebuild of the read model that {@code config} describes, leaving out the group's dead letters that were not
     * retried, as the live worker does.
     *
     * @param database a pool of at least {@value #CONNECTIONS} connections
     */
    public static ProjectionRebuild of(
            ProjectionConfig config, DataSource database, PrintStream progress, Clock clock) {
        DeadLetterReader deadLetters = new DeadLetterReader(
                config.bootstrapServers(),
                config.deadLetterTopic(),
                config.deadLetterTimeout(),
                config.consumerOverrides());
        return new ProjectionRebuild(
                config.bootstrapServers(),
                config.topic(),
                config.consumerGroup(),
                config.consumerOverrides(),
                new PostgresReadModelRebuild(database, config.consumerGroup(), config.swapLockTimeout()),
                config.swapMaxWait(),
                new UnretriedDeadLetters(
                        deadLetters,
                        config.consumerGroup(),
                        config.topic(),
                        new PostgresDeadLetterResolutions(database, config.consumerGroup())),
                progress,
                clock);
    }

    /** Runs a rebuild of {@code views} (all when empty) with the settings of the environment; returns the exit code. */
    static int run(List<String> views) {
        Logger log = LoggerFactory.getLogger(RebuildMain.class);
        ProjectionConfig config;
        try {
            config = ProjectionConfig.fromEnvironment(System.getenv(), log);
        } catch (InvalidSettingException e) {
            System.err.println("rebuild: not started: " + e.getMessage());
            return COULD_NOT_RUN;
        }
        HikariDataSource pool;
        try {
            pool = ReadModelDatabase.pool(config.database(), CONNECTIONS);
        } catch (RuntimeException e) {
            // Hikari opens the first connection in the constructor; its failure is a setting or a server, no bug.
            System.err.println("rebuild: could not run: " + noConnection(config.database(), e));
            return COULD_NOT_RUN;
        }
        try (HikariDataSource database = pool) {
            ReadModelMigrations.migrate(database);
            of(config, database, System.err, Clock.systemUTC()).run(views);
            return 0;
        } catch (RebuildRefusedException e) {
            System.err.println("rebuild: refused: " + e.getMessage());
            return REFUSED;
        } catch (SwapGaveUpException e) {
            System.err.println("rebuild: gave up: " + e.getMessage());
            return SWAP_GAVE_UP;
        } catch (RuntimeException e) {
            log.error("Rebuild failed", e);
            System.err.println("rebuild: failed, the live tables are as they were: " + e);
            return FAILED;
        }
    }

    /** Why the database at {@code url} gave no connection, in one line: the driver's reason, without its trace. */
    static String noConnection(DatabaseUrl url, RuntimeException failure) {
        Throwable cause = failure;
        while (cause != null && !(cause instanceof SQLException)) {
            cause = cause.getCause();
        }
        if (!(cause instanceof SQLException sql)) {
            return "no connection to the database at " + url.server() + ": " + failure.getMessage();
        }
        // SQLSTATE class 08 is a connection exception: nothing answered, or the connection broke while opening.
        boolean unreachable = sql.getSQLState() != null && sql.getSQLState().startsWith("08");
        return "the database at " + url.server() + (unreachable ? " cannot be reached: " : " refused the connection: ")
                + sql.getMessage();
    }
}
