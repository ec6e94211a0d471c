package io.polyglot.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
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
}
