package io.polyglot.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.polyglot.runtime.DatabaseUrl;
import io.polyglot.stack.ServerStartException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The stack against a repository where no service has been built: the servers, topics and bucket come up for real,
 * and {@code up} stops at the first missing service jar, which pins the servers' half of the stack on its own.
 */
class PolyglotStackTest {
    @TempDir
    static Path home;

    @TempDir
    static Path unbuiltRepository;

    static PolyglotStack stack;
    static Throwable upFailure;

    @BeforeAll
    static void startServers() {
        stack = PolyglotStack.at(home, unbuiltRepository);
        upFailure = catchThrowable(() -> stack.up(OptionalInt.of(2)));
    }

    @AfterAll
    static void stopEverything() {
        stack.down(true);
    }

    @Test
    void namesTheMissingServiceJarWhenTheProjectIsNotBuilt() {
        assertThat(upFailure)
                .isInstanceOf(ServerStartException.class)
                .hasMessageContaining("command-service.jar is missing")
                .hasMessageContaining("mvn -q -DskipTests package");
    }

    @Test
    void reportsRunningServersAndMissingServicesAsJsonAndExitsOne() throws Exception {
        // when: the services cannot start in an unbuilt repository, so not everything is up
        JsonNode status = new ObjectMapper().readTree(cliExiting(1, "status", "--json"));

        // then
        Map<String, String> health = new HashMap<>();
        for (JsonNode component : status.get("components")) {
            health.put(component.get("name").asText(), component.get("health").asText());
            assertThat(component.get("port").asInt()).isPositive();
        }
        assertThat(health)
                .containsEntry("kafka", "up")
                .containsEntry("postgres", "up")
                .containsEntry("s3", "up")
                .containsEntry("command-service", "down")
                .containsEntry("command-service-2", "down")
                .containsEntry("archiver-worker", "down")
                .containsEntry("projection-worker", "down")
                .containsEntry("dashboard", "down");
    }

    @Test
    void printsEnvLinesThatBashCanEvaluate() throws Exception {
        // given
        Map<String, String> expected = stack.env();

        // when
        String evaluated = ShellWordsTest.bash(
                "eval \"$1\"; printf '%s|%s|%s|%s' \"$PGPORT\" \"$PGPASSWORD\" \"$DATABASE_URL\" \"$S3_BUCKET\"",
                cli("env"));

        // then
        assertThat(evaluated)
                .isEqualTo(String.join(
                        "|",
                        expected.get("PGPORT"),
                        expected.get("PGPASSWORD"),
                        expected.get("DATABASE_URL"),
                        "polyglot-archive"));
        assertThat(expected)
                .containsOnlyKeys(
                        "COMMAND_URL",
                        "COMMAND_URLS",
                        "DASHBOARD_URL",
                        "ARCHIVER_URL",
                        "PROJECTION_URL",
                        "KAFKA_BOOTSTRAP_SERVERS",
                        "DATABASE_URL",
                        "PGHOST",
                        "PGPORT",
                        "PGUSER",
                        "PGPASSWORD",
                        "PGDATABASE",
                        "READER_DATABASE_URL",
                        "S3_ENDPOINT",
                        "S3_BUCKET",
                        "S3_REGION",
                        "AWS_ACCESS_KEY_ID",
                        "AWS_SECRET_ACCESS_KEY",
                        "POLYGLOT_TOKEN");
        assertThat(expected.get("KAFKA_BOOTSTRAP_SERVERS")).startsWith("127.0.0.1:");
        assertThat(expected.get("DASHBOARD_URL")).matches("http://127\\.0\\.0\\.1:\\d+");
    }

    @Test
    void printsAReadOnlyLoginBesideTheWorkersOwnAsReaderDatabaseUrl() throws Exception {
        // given
        Map<String, String> env = stack.env();
        DatabaseUrl reader = DatabaseUrl.parse(env.get("READER_DATABASE_URL"));

        // when
        try (Connection connection = DriverManager.getConnection(reader.jdbcUrl(), reader.user(), reader.password());
                Statement statement = connection.createStatement();
                ResultSet row = statement.executeQuery("SELECT current_user, current_database(),"
                        + " current_setting('transaction_read_only'), has_schema_privilege('public', 'CREATE')")) {
            row.next();

            // then: the reader's own login on the stack's database, read-only, with no right to create in public
            assertThat(row.getString(1)).isEqualTo("polyglot_reader").isNotEqualTo(env.get("PGUSER"));
            assertThat(row.getString(2)).isEqualTo(env.get("PGDATABASE"));
            assertThat(row.getString(3)).isEqualTo("on");
            assertThat(row.getBoolean(4)).isFalse();
        }
        assertThat(reader.jdbcUrl())
                .isEqualTo(DatabaseUrl.parse(env.get("DATABASE_URL")).jdbcUrl());
    }

    @Test
    void printsTheWorkersHealthAndAdminBaseUrlsAsArchiverUrlAndProjectionUrl() {
        // when
        Map<String, String> env = stack.env();

        // then: the workers' health ports are where their /health and /admin/ routes listen
        Map<String, String> ports = new HashMap<>();
        stack.status().forEach(component -> ports.put(component.name(), "http://127.0.0.1:" + component.port()));
        assertThat(env)
                .containsEntry("ARCHIVER_URL", ports.get("archiver-worker"))
                .containsEntry("PROJECTION_URL", ports.get("projection-worker"));
    }

    @Test
    void printsEveryCommandServiceInstanceInCommandUrlsWithTheFirstAsCommandUrl() {
        // when
        Map<String, String> env = stack.env();

        // then
        List<String> urls = List.of(env.get("COMMAND_URLS").split(","));
        assertThat(urls).hasSize(2).doesNotHaveDuplicates().allMatch(url -> url.matches("http://127\\.0\\.0\\.1:\\d+"));
        assertThat(urls.get(0)).isEqualTo(env.get("COMMAND_URL"));
        assertThat(stack.status())
                .filteredOn(component -> component.name().startsWith("command-service"))
                .extracting(component -> "http://127.0.0.1:" + component.port())
                .containsExactlyElementsOf(urls);
    }

    /** A later {@code up} without a count keeps the two command-service instances and their ports. */
    @Test
    void leavesRunningServersAloneWhenUpRunsAgain() {
        // given
        List<ComponentStatus> before = stack.status();

        // when
        Throwable again = catchThrowable(stack::up);

        // then
        assertThat(again).hasMessageContaining("command-service.jar is missing");
        assertThat(stack.status()).isEqualTo(before);
    }

    @Test
    void projectionRebuildNamesTheMissingWorkerJarWhenTheProjectIsNotBuilt() {
        // when
        CliRun run = CliRun.of(home, unbuiltRepository, "projection", "rebuild", "loan_applications");

        // then
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
        assertThat(run.err()).contains("projection-worker.jar is missing").contains("mvn -q -DskipTests package");
    }

    static String cli(String... args) {
        return cliExiting(0, args);
    }

    static String cliExiting(int expectedExitCode, String... args) {
        StringWriter out = new StringWriter();
        CommandLine commandLine = PolyglotCli.commandLine(home, unbuiltRepository);
        commandLine.setOut(new PrintWriter(out, true));
        int exitCode = commandLine.execute(args);
        assertThat(exitCode)
                .as("exit code of polyglot %s", String.join(" ", args))
                .isEqualTo(expectedExitCode);
        return out.toString();
    }
}
