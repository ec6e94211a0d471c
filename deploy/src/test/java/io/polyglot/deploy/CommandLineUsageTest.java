package io.polyglot.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Wrong command lines of the Java CLI, run as {@code ./polyglot} runs it (without the exit): each prints what is wrong
 * and the usage of the command it is about on stderr and exits 2; nothing is started, so no stack is needed.
 */
class CommandLineUsageTest {
    @TempDir
    Path home;

    @TempDir
    Path unbuiltRepository;

    @ParameterizedTest(name = "polyglot {0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "''                 | Missing required subcommand    | Usage: polyglot [-hV] [COMMAND]",
                "archive            | Missing required subcommand    | Usage: polyglot archive [-hV] [COMMAND]",
                "projection         | Missing required subcommand    | Usage: polyglot projection [-hV] [COMMAND]",
                "archive tidy       | Unmatched argument at index 1  | Usage: polyglot archive [-hV] [COMMAND]",
                "projection refresh | Unmatched argument at index 1  | Usage: polyglot projection [-hV] [COMMAND]",
                "rebuild            | Unmatched argument at index 0  | Usage: polyglot [-hV] [COMMAND]",
                "archive ls --all   | Unknown option: '--all'        | Usage: polyglot archive ls [-hV] [TYPE]",
                "down --force       | Unknown option: '--force'      | Usage: polyglot down [-hV] [--wipe]",
                "-V x               | not with 'x'                   | Usage: polyglot [-hV] [COMMAND]",
                "archive ls -h x    | not with 'x'                   | Usage: polyglot archive ls [-hV] [TYPE]",
                "status --json -V   | not with '--json'              | Usage: polyglot status [-hV] [--json]",
                "status -- --json   | after --: '--json' (a word     | Usage: polyglot status [-hV] [--json]",
                "projection rebuild loan_offers nope | no view nope can be rebuilt; the views are loan_applications"
                        + " | Usage: polyglot projection rebuild [-hV] [VIEW...]"
            })
    void printsTheUsageOfTheCommandOnStderrAndExitsTwoForAWrongCommandLine(
            String commandLine, String problem, String usage) {
        // given
        String[] args = commandLine.isEmpty() ? new String[0] : commandLine.split(" ");

        // when
        CliRun run = CliRun.of(home, unbuiltRepository, args);

        // then
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
        assertThat(run.out()).as(run.toString()).isEmpty();
        assertThat(run.err()).contains(problem).contains(usage);
        assertThat(home).isEmptyDirectory();
    }

    @ParameterizedTest(name = "polyglot {0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "--help            | Usage: polyglot [-hV] [COMMAND]",
                "archive --help    | Usage: polyglot archive [-hV] [COMMAND]",
                "projection -h     | Usage: polyglot projection [-hV] [COMMAND]",
                "status -h         | Usage: polyglot status [-hV] [--json]",
                "up --help         | Usage: polyglot up [-hV] [--scale=SERVICE=N]...",
                "down -h           | Usage: polyglot down [-hV] [--wipe]",
                "env -h            | Usage: polyglot env [-hV]",
                "-V                | polyglot (unpackaged build)",
                "archive cat -V    | polyglot (unpackaged build)"
            })
    void printsTheUsageOnStdoutAndExitsZeroWhenAskedForHelp(String commandLine, String usage) {
        // when
        CliRun run = CliRun.of(home, unbuiltRepository, commandLine.split(" "));

        // then
        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.out()).contains(usage);
        assertThat(run.err()).isEmpty();
    }
}
