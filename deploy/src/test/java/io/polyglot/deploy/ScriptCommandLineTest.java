package io.polyglot.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The command lines the {@code ./polyglot} script answers itself, before any Java runs: a copy of the script in a
 * folder of its own, with a {@code mvn} on the PATH that only notes that it ran, so a command line the script took
 * for a build or a test run shows as that note instead of starting one.
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

    private Run polyglot(String commandLine) throws IOException, InterruptedException {
        List<String> command =
                new ArrayList<>(List.of("bash", checkout.resolve("polyglot").toString()));
        if (!commandLine.isEmpty()) {
            command.addAll(List.of(commandLine.split(" ")));
        }
        ProcessBuilder builder = new ProcessBuilder(command).directory(checkout.toFile());
        builder.environment().put("PATH", bin + ":" + System.getenv("PATH"));
        builder.environment().put("POLYGLOT_HOME", checkout.resolve(".polyglot").toString());
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
