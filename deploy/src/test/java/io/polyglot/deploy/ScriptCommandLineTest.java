package io.polyglot.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The command lines the {@code ./polyglot} script answers itself, before any Java runs: a copy of the script in a
 * folder of its own, with a {@code mvn} on the PATH that only notes that it ran, so a command line the script took
 * for a build or a test run shows as that note instead of starting one. Where a command goes on to the Java CLI, a
 * {@code java} of {@code JAVA_HOME} only notes its arguments too: these tests are about what the script decides, and a
 * stand-in is the only way to count the builds it starts without running them.
 */
class ScriptCommandLineTest {
    @TempDir
    Path checkout;

    @TempDir
    Path bin;

    private Path mavenRan;

    @BeforeEach
    void copyTheScriptAndStandInForMaven() throws IOException {
        Files.copy(SourcesHashTest.SCRIPT, checkout.resolve("polyglot"));
        mavenRan = bin.resolve("mvn-ran");
        Path mvn = bin.resolve("mvn");
        Files.writeString(mvn, "#!/usr/bin/env bash\necho \"$@\" >> '" + mavenRan + "'\n");
        Files.setPosixFilePermissions(mvn, PosixFilePermissions.fromString("rwx------"));
    }

    @ParameterizedTest(name = "polyglot {0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "''              | polyglot: missing command                            | Usage: ./polyglot COMMAND",
                "refresh         | polyglot: unknown command 'refresh'                  | Usage: ./polyglot COMMAND",
                "test --fast     | polyglot: test takes no arguments, not '--fast'      | Usage: polyglot test",
                "screenshots all | polyglot: screenshots takes no arguments, not 'all' | Usage: polyglot screenshots"
            })
    void printsWhatIsWrongAndTheUsageOnStderrAndExitsTwoWithoutRunningAnything(
            String commandLine, String problem, String usage) throws Exception {
        // when
        Run run = polyglot(commandLine);

        // then
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).startsWith(problem + "\n").contains(usage);
        assertThat(mavenRan).doesNotExist();
    }

    @Test
    void printsItsUsageOnStdoutAndExitsZeroWhenAskedForHelp() throws Exception {
        // when
        Run run = polyglot("help");

        // then
        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.out()).startsWith("Usage: ./polyglot COMMAND").contains("projection rebuild [VIEW...]");
        assertThat(run.err()).isEmpty();
    }

    @Test
    void buildsAgainOnlyWhenASourceChangedOrAJarIsMissingNotForANewHome() throws Exception {
        // given: the jars a stack runs, a java that notes its arguments, and PostgreSQL's initdb
        for (String module :
                List.of("deploy", "command-service", "archiver-worker", "projection-worker", "dashboard", "importer")) {
            Path jar = checkout.resolve(module + "/target/" + module + ".jar");
            Files.createDirectories(jar.getParent());
            Files.writeString(jar, "");
        }
        Path source = checkout.resolve("command-service/src/main/java/Command.java");
        Files.createDirectories(source.getParent());
        Files.writeString(source, "class Command {}\n");
        Path javaRan = bin.resolve("java-ran");
        executable(bin.resolve("jdk/bin/java"), "echo \"$@\" >> '" + javaRan + "'");
        executable(bin.resolve("pg/initdb"), "exit 0");
        Map<String, String> stack = Map.of(
                "JAVA_HOME",
                bin.resolve("jdk").toString(),
                "POLYGLOT_PG_BIN",
                bin.resolve("pg").toString());

        // when: up, then up on a wiped home, then on another home
        Run first = polyglot(
                "up", with(stack, "POLYGLOT_HOME", checkout.resolve(".polyglot").toString()));
        wipe(checkout.resolve(".polyglot"));
        Run wiped = polyglot(
                "up", with(stack, "POLYGLOT_HOME", checkout.resolve(".polyglot").toString()));
        Run elsewhere = polyglot(
                "up", with(stack, "POLYGLOT_HOME", bin.resolve("other-home").toString()));

        // then: one build for the three
        assertThat(List.of(first, wiped, elsewhere)).allMatch(run -> run.exitCode() == 0, "every up ends 0");
        assertThat(Files.readAllLines(mavenRan)).as("builds").hasSize(1);
        assertThat(Files.readAllLines(javaRan)).as("the CLI's runs").hasSize(3).allMatch(line -> line.endsWith(" up"));

        // when: a source changes; then a jar goes missing
        Files.writeString(source, "class Command { int version; }\n");
        Run changed = polyglot(
                "up", with(stack, "POLYGLOT_HOME", checkout.resolve(".polyglot").toString()));
        Run same = polyglot(
                "up", with(stack, "POLYGLOT_HOME", checkout.resolve(".polyglot").toString()));
        Files.delete(checkout.resolve("dashboard/target/dashboard.jar"));
        Run missing = polyglot(
                "up", with(stack, "POLYGLOT_HOME", checkout.resolve(".polyglot").toString()));

        // then: a build for each, none for the same sources again
        assertThat(List.of(changed, same, missing)).allMatch(run -> run.exitCode() == 0, "every up ends 0");
        assertThat(Files.readAllLines(mavenRan)).as("builds").hasSize(3);
    }

    private static void wipe(Path home) throws IOException {
        if (!Files.exists(home)) {
            return;
        }
        try (var paths = Files.walk(home)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }

    private static void executable(Path file, String body) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, "#!/usr/bin/env bash\n" + body + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwx------"));
    }

    private static Map<String, String> with(Map<String, String> environment, String name, String value) {
        Map<String, String> more = new HashMap<>(environment);
        more.put(name, value);
        return more;
    }

    private Run polyglot(String commandLine) throws IOException, InterruptedException {
        return polyglot(
                commandLine,
                Map.of("POLYGLOT_HOME", checkout.resolve(".polyglot").toString()));
    }

    private Run polyglot(String commandLine, Map<String, String> environment) throws IOException, InterruptedException {
        List<String> command =
                new ArrayList<>(List.of("bash", checkout.resolve("polyglot").toString()));
        if (!commandLine.isEmpty()) {
            command.addAll(List.of(commandLine.split(" ")));
        }
        ProcessBuilder builder = new ProcessBuilder(command).directory(checkout.toFile());
        builder.environment().put("PATH", bin + ":" + System.getenv("PATH"));
        builder.environment().putAll(environment);
        Path out = bin.resolve("out");
        Path err = bin.resolve("err");
        Process process =
                builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        boolean ended = process.waitFor(1, TimeUnit.MINUTES);
        if (!ended) {
            process.destroyForcibly().waitFor();
        }
        return new Run(
                ended ? process.exitValue() : -1,
                Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }

    /** One run of the script: its exit code and what it printed on each stream. */
    private record Run(int exitCode, String out, String err) {}
}
