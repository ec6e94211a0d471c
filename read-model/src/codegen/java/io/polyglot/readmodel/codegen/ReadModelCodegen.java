package io.polyglot.readmodel.codegen;

import io.polyglot.stack.PostgresServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.flywaydb.core.Flyway;
import org.jooq.codegen.GenerationTool;
import org.jooq.meta.jaxb.Configuration;
import org.jooq.meta.jaxb.Database;
import org.jooq.meta.jaxb.Generate;
import org.jooq.meta.jaxb.Generator;
import org.jooq.meta.jaxb.Jdbc;
import org.jooq.meta.jaxb.Logging;
import org.jooq.meta.jaxb.SchemaMappingType;
import org.jooq.meta.jaxb.Target;

/**
 * Generates the jOOQ classes of the read model from its Flyway migrations, during read-model's
 * {@code generate-sources}.
 *
 * <p>It starts a throw-away PostgreSQL, migrates it with the same migrations the projection worker runs, reads the
 * schema back with jOOQ's generator and stops the server. jOOQ's DDL-parsing mode is not used because it does not read
 * every PostgreSQL type the migrations use the way PostgreSQL itself does. The server is skipped when the migrations
 * and this generator are unchanged since the last run, so a rebuild without schema changes costs nothing.
 *
 * <p>Arguments: the migrations folder, the target source folder, the target package, a work folder, and the source
 * file of this generator (part of the up-to-date check).
 */
public final class ReadModelCodegen {

    private static final List<String> SCHEMAS = List.of("public", "projection");

    private ReadModelCodegen() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 5) {
            throw new IllegalArgumentException(
                    "expected: <migrations folder> <target folder> <package> <work folder> <generator source>");
        }
        Path migrations = Path.of(args[0]);
        Path target = Path.of(args[1]);
        String packageName = args[2];
        Path work = Path.of(args[3]);
        Path generatorSource = Path.of(args[4]);

        Path stamp = work.resolve("inputs.sha256");
        String inputs = fingerprint(migrations, generatorSource, packageName);
        Path packageFolder = target.resolve(packageName.replace('.', '/'));
        if (Files.isDirectory(packageFolder)
                && Files.exists(stamp)
                && Files.readString(stamp).equals(inputs)) {
            System.out.println("[read-model codegen] jOOQ classes are up to date with the migrations");
            return;
        }

        deleteRecursively(work);
        Files.createDirectories(work);
        try (PostgresServer postgres =
                PostgresServer.start(work.resolve("postgres"), 0, PostgresServer.Durability.NO_FSYNC)) {
            Flyway.configure()
                    .dataSource(postgres.jdbcUrl(), postgres.user(), postgres.password())
                    .locations("filesystem:" + migrations.toAbsolutePath())
                    .load()
                    .migrate();
            GenerationTool.generate(configuration(postgres, target, packageName));
        }
        Files.writeString(stamp, inputs);
        System.out.println("[read-model codegen] generated jOOQ classes in " + packageFolder);
    }

    private static Configuration configuration(PostgresServer postgres, Path target, String packageName) {
        return new Configuration()
                .withLogging(Logging.WARN)
                .withJdbc(new Jdbc()
                        .withDriver("org.postgresql.Driver")
                        .withUrl(postgres.jdbcUrl())
                        .withUser(postgres.user())
                        .withPassword(postgres.password()))
                .withGenerator(new Generator()
                        .withDatabase(new Database()
                                .withName("org.jooq.meta.postgres.PostgresDatabase")
                                .withSchemata(SCHEMAS.stream()
                                        .map(schema -> new SchemaMappingType().withInputSchema(schema))
                                        .toList())
                                .withIncludes(".*")
                                .withExcludes("flyway_schema_history"))
                        .withGenerate(new Generate()
                                .withJavaTimeTypes(true)
                                .withRecords(true)
                                .withPojos(false)
                                .withDaos(false)
                                .withGeneratedAnnotation(false))
                        .withTarget(new Target()
                                .withPackageName(packageName)
                                .withDirectory(target.toAbsolutePath().toString())
                                .withClean(true)));
    }

    private static String fingerprint(Path migrations, Path generatorSource, String packageName) throws IOException {
        MessageDigest digest = sha256();
        digest.update(packageName.getBytes(StandardCharsets.UTF_8));
        digest.update(Files.readAllBytes(generatorSource));
        try (Stream<Path> files = Files.list(migrations)) {
            for (Path file : files.sorted().toList()) {
                digest.update(file.getFileName().toString().getBytes(StandardCharsets.UTF_8));
                digest.update(Files.readAllBytes(file));
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    private static void deleteRecursively(Path folder) throws IOException {
        if (!Files.exists(folder)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(folder)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.delete(path);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
