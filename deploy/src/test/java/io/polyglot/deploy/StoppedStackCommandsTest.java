package io.polyglot.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The commands that reach the stack's servers themselves, run against a stack that is not running: its kept state
 * names ports nobody listens on, as after {@code ./polyglot down}, or there is no state at all. Each says so in one
 * line that tells how to start the stack, and exits 2 ("could not run"), without a library's exception.
 */
class StoppedStackCommandsTest {
    private static final String SEGMENT = "events/Loan/p000/00000000000000000000.avro";

    @TempDir
    Path home;

    @TempDir
    Path unbuiltRepository;

    @ParameterizedTest(name = "polyglot {0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "projection rebuild            | projection rebuild | PostgreSQL",
                "projection rebuild loan_offers | projection rebuild | PostgreSQL",
                "archive ls                    | archive ls         | S3Proxy",
                "archive verify                | archive verify     | S3Proxy",
                "archive cat " + SEGMENT + "   | archive cat        | S3Proxy",
                "import --type Loan loans.xes  | import             | the command service"
            })
    void saysInOneLineThatTheStackIsNotRunningAndHowToStartItAndExitsTwo(
            String commandLine, String command, String server) {
        // given
        StackState stopped = StackState.withFreePorts()
                .withCredentials(
                        "postgresql://polyglot:secret@127.0.0.1:1/polyglot",
                        "secret",
                        "postgresql://polyglot_reader:secret@127.0.0.1:1/polyglot",
                        "access",
                        "secret");
        stopped.save(home);
        int port = switch (server) {
            case "PostgreSQL" -> stopped.postgresPort();
            case "S3Proxy" -> stopped.s3Port();
            default -> stopped.commandPort();
        };

        // when
        CliRun run = CliRun.of(home, unbuiltRepository, commandLine.split(" "));

        // then
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
        assertThat(run.out()).isEmpty();
        assertThat(run.err())
                .isEqualTo("polyglot: " + command + " could not run: the stack in " + home + " is not running: "
                        + server + " at 127.0.0.1:" + port + " cannot be reached; start it with ./polyglot up\n");
    }

    @ParameterizedTest(name = "polyglot {0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "projection rebuild          | projection rebuild",
                "archive ls                  | archive ls",
                "archive verify              | archive verify",
                "archive cat " + SEGMENT + " | archive cat",
                "import --type Loan loans.xes | import"
            })
    void saysInOneLineThatTheStackWasNeverStartedAndExitsTwo(String commandLine, String command) {
        // when
        CliRun run = CliRun.of(home, unbuiltRepository, commandLine.split(" "));

        // then
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
        assertThat(run.out()).isEmpty();
        assertThat(run.err())
                .isEqualTo("polyglot: " + command + " could not run: the stack in " + home
                        + " was never started; run ./polyglot up first\n");
    }
}
