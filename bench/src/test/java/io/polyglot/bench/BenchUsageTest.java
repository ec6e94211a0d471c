package io.polyglot.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

class BenchUsageTest {

    @Test
    void theHelpListsEveryStageId() {
        // given
        StringWriter out = new StringWriter();
        CommandLine cli = new CommandLine(new BenchMain());
        cli.setOut(new PrintWriter(out, true));

        // when
        int exit = cli.execute("--help");

        // then
        assertThat(exit).isZero();
        assertThat(out.toString().replaceAll("\\s+", " "))
                .contains("decide, ingest-single, ingest-batch, e2e, freshness, memory, archive, project")
                .contains("default: every stage");
    }

    @ParameterizedTest(name = "bench {0}")
    @ValueSource(strings = {"decide archiving", "--rounds 0 decide", "--smoke --budget 5"})
    void refusesAWrongCommandLineWithTheUsageOnStderrAndExitStatusTwo(String commandLine) {
        // given
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new BenchMain());
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));

        // when
        int exit = cli.execute(commandLine.split(" "));

        // then
        assertThat(exit).as(err.toString()).isEqualTo(2);
        assertThat(out.toString()).isEmpty();
        assertThat(err.toString()).contains("Usage: bench").doesNotContain("\tat ");
    }
}
