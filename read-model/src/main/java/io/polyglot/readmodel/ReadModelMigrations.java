package io.polyglot.readmodel;

import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;

/**
 * Brings a PostgreSQL database to the read model's schema with the Flyway migrations of this module, the same ones
 * the jOOQ classes are generated from. Safe to run from several processes at once: Flyway serialises them with a
 * database lock, and a database that is already current is left as it is.
 */
public final class ReadModelMigrations {

    /** Where the migrations live on the class path. */
    public static final String LOCATION = "classpath:db/migration";

    private ReadModelMigrations() {}

    /** Applies every pending migration. */
    public static Migrated migrate(DataSource dataSource) {
        MigrateResult result = Flyway.configure()
                .dataSource(dataSource)
                .locations(LOCATION)
                .load()
                .migrate();
        String version = result.targetSchemaVersion != null ? result.targetSchemaVersion : result.initialSchemaVersion;
        return new Migrated(result.migrationsExecuted, version);
    }

    /**
     * What a migration run did.
     *
     * @param migrationsApplied how many migrations this run applied (0 when the database was current)
     * @param schemaVersion the schema version the database is at now
     */
    public record Migrated(int migrationsApplied, String schemaVersion) {}
}
