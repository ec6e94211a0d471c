package io.polyglot.projection;

import com.zaxxer.hikari.HikariDataSource;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.polyglot.projection.admin.DeadLetterAdmin;
import io.polyglot.projection.admin.RebuildAdmin;
import io.polyglot.projection.readmodel.PostgresDeadLetterResolutions;
import io.polyglot.projection.readmodel.PostgresReadModelRebuild;
import io.polyglot.projection.readmodel.PostgresReadModelStore;
import io.polyglot.projection.rebuild.RebuildMain;
import io.polyglot.readmodel.ReadModelMigrations;
import io.polyglot.runtime.AdminResponse;
import io.polyglot.runtime.AdminRoutes;
import io.polyglot.runtime.AdminTask;
import io.polyglot.runtime.DependencyCheck;
import io.polyglot.runtime.InvalidSettingException;
import io.polyglot.runtime.Metrics;
import io.polyglot.runtime.ServiceEndpoint;
import io.polyglot.runtime.TokenAccess;
import io.polyglot.runtime.deadletter.DeadLetterReader;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The projection worker process: migrates the read model, serves health and metrics, and runs the poll loop until the
 * process is stopped. Exits with 2 on invalid settings and 1 when the loop fails.
 */
public final class ProjectionMain {

    private static final Logger log = LoggerFactory.getLogger(ProjectionMain.class);

    private ProjectionMain() {}

    public static void main(String[] args) throws InterruptedException {
        System.setProperty("org.jooq.no-logo", "true");
        System.setProperty("org.jooq.no-tips", "true");
        ProjectionConfig config;
        try {
            config = ProjectionConfig.fromEnvironment(System.getenv(), log);
        } catch (InvalidSettingException e) {
            log.error("Projection worker not started: {}", e.getMessage());
            System.exit(2);
            return;
        }

        ProjectionWorker worker;
        try {
            worker = start(config);
        } catch (RuntimeException e) {
            log.error("Projection worker failed to start", e);
            System.exit(1);
            return;
        }
        worker.awaitTermination();
        if (worker.failure().isPresent()) {
            System.exit(1);
        }
    }

    /** The dead-letter endpoints; a retry rebuilds the read model with a pool of its own, closed afterwards. */
    static DeadLetterAdmin deadLetterAdmin(ProjectionConfig config, HikariDataSource database) {
        return new DeadLetterAdmin(
                new DeadLetterReader(
                        config.bootstrapServers(),
                        config.deadLetterTopic(),
                        config.deadLetterTimeout(),
                        config.consumerOverrides()),
                config.consumerGroup(),
                config.topic(),
                () -> RecordDecoder.withSchemasTopic(
                        config.bootstrapServers(), config.consumerOverrides(), Clock.systemUTC()),
                new PostgresDeadLetterResolutions(database, config.consumerGroup()),
                retried -> {
                    try (HikariDataSource pool = ReadModelDatabase.pool(config.database(), RebuildMain.CONNECTIONS)) {
                        return RebuildMain.of(config, pool, System.err, Clock.systemUTC())
                                .run(List.of(), Optional.of(retried));
                    }
                });
    }

    /**
     * The rebuild endpoints; each rebuild runs in the background with a pool of its own, closed afterwards, and
     * {@code database} only tells which views there are.
     */
    static RebuildAdmin rebuildAdmin(ProjectionConfig config, DataSource database) {
        return new RebuildAdmin(
                new AdminTask("rebuild", Clock.systemUTC()),
                new PostgresReadModelRebuild(database, config.consumerGroup(), config.swapLockTimeout()).views(),
                views -> {
                    HikariDataSource pool = ReadModelDatabase.pool(config.database(), RebuildMain.CONNECTIONS);
                    return new RebuildAdmin.Prepared(RebuildMain.of(config, pool, System.err, Clock.systemUTC()), pool);
                });
    }

    /** The admin routes once the worker has made them; until then every admin request answers 503. */
    private static AdminRoutes onceStarted(AtomicReference<AdminRoutes> admin) {
        return new AdminRoutes() {
            @Override
            public AdminResponse handle(String method, String path) {
                return handle(method, path, null);
            }

            @Override
            public AdminResponse handle(String method, String path, String query) {
                AdminRoutes routes = admin.get();
                return routes == null
                        ? AdminResponse.problem(503, "starting", "the projection worker is still starting")
                        : routes.handle(method, path, query);
            }
        };
    }

    /** Serves health and metrics, migrates the read model and starts the poll loop. */
    private static ProjectionWorker start(ProjectionConfig config) {
        PrometheusMeterRegistry registry = Metrics.registry("projection-worker");
        AtomicReference<ProjectionWorker> running = new AtomicReference<>();
        AtomicReference<DependencyCheck> databaseCheck = new AtomicReference<>();
        AtomicReference<AdminRoutes> admin = new AtomicReference<>();
        TokenAccess access = TokenAccess.load(System.getenv(), config.host(), log);
        ServiceEndpoint endpoint = ServiceEndpoint.start(
                config.host(),
                config.healthPort(),
                registry,
                () -> {
                    ProjectionWorker worker = running.get();
                    return worker != null
                            && worker.isConsuming()
                            && databaseCheck.get().passes();
                },
                onceStarted(admin),
                access);
        log.info("Health endpoint listening on {}:{}", config.host(), endpoint.port());

        HikariDataSource database = ReadModelDatabase.pool(config.database());
        ReadModelMigrations.Migrated migrated = ReadModelMigrations.migrate(database);
        log.info(
                "Read model migrated: {} migrations applied, schema version {}",
                migrated.migrationsApplied(),
                migrated.schemaVersion());

        databaseCheck.set(ReadModelDatabase.check(config.database()));
        BatchPause pause = TestStall.fromSystemProperties();
        ProjectionWorker worker = ProjectionWorker.start(
                config,
                new PostgresReadModelStore(database, config.consumerGroup(), pause),
                registry,
                Clock.systemUTC(),
                pause);
        running.set(worker);
        admin.set(AdminRoutes.byPrefix(Map.of(
                "/admin/dead-letters",
                deadLetterAdmin(config, database),
                RebuildAdmin.PREFIX,
                rebuildAdmin(config, database))));
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            worker.close();
                            endpoint.close();
                            databaseCheck.get().close();
                            database.close();
                        },
                        "projection-shutdown"));

        return worker;
    }
}
