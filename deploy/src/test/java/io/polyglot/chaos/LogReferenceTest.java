package io.polyglot.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import io.polyglot.importer.command.CommandIds;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogReferenceTest {

    private static final String LOG = """
            <?xml version="1.0" encoding="UTF-8" ?>
            <log xes.version="1.0" xmlns="http://www.xes-standard.org/">
            \t<global scope="event">
            \t\t<string key="concept:name" value="UNKNOWN"/>
            \t</global>
            \t<trace>
            \t\t<string key="concept:name" value="Case 1"/>
            \t\t<event>
            \t\t\t<string key="lifecycle:transition" value="COMPLETE"/>
            \t\t\t<date key="time:timestamp" value="2011-10-01T00:38:44.546+02:00"/>
            \t\t\t<string key="concept:name" value="A_SUBMITTED"/>
            \t\t</event>
            \t\t<event>
            \t\t\t<string key="concept:name" value="W_Call"/>
            \t\t\t<date key="time:timestamp" value="2011-10-01T00:39:00Z"/>
            \t\t\t<list key="notes"><string key="concept:name" value="nested, not the activity"/></list>
            \t\t</event>
            \t</trace>
            \t<trace>
            \t\t<string key="concept:name" value="Case 2"/>
            \t\t<event>
            \t\t\t<string key="concept:name" value="A_PARTLYSUBMITTED"/>
            \t\t\t<date key="time:timestamp" value="2011-10-01T01:00:00+00:00"/>
            \t\t</event>
            \t</trace>
            </log>
            """;

    @TempDir
    Path folder;

    @Test
    void foldsEachTraceIntoItsCaseWithActivityLifecycleAndTimeByPosition() throws IOException {
        // given
        Path file = gzipped("log.xes.gz", LOG);

        // when
        LogReference reference = LogReference.read("LoanApplication", file);

        // then
        assertThat(reference.cases()).containsOnlyKeys("Case 1", "Case 2");
        assertThat(reference.cases().get("Case 1"))
                .containsExactly(
                        new LogReference.Step("A_SUBMITTED", "COMPLETE", Instant.parse("2011-09-30T22:38:44.546Z")),
                        new LogReference.Step("W_Call", null, Instant.parse("2011-10-01T00:39:00Z")));
        assertThat(reference.events()).isEqualTo(3);
    }

    @Test
    void expectsTheCommandIdsTheImporterSends() throws IOException {
        // given
        LogReference reference = LogReference.read("LoanApplication", gzipped("log.xes.gz", LOG));

        // when
        var commands = reference.expectedCommands();

        // then
        assertThat(commands)
                .containsOnlyKeys(
                        CommandIds.of("LoanApplication", "Case 1", 1),
                        CommandIds.of("LoanApplication", "Case 1", 2),
                        CommandIds.of("LoanApplication", "Case 2", 1));
        assertThat(commands.get(CommandIds.of("LoanApplication", "Case 1", 2)))
                .isEqualTo(new LogReference.Expected("LoanApplication", "Case 1", 2));
    }

    @Test
    void aSliceKeepsTheFirstTracesAndStaysAReadableLog() throws IOException {
        // given
        Path file = gzipped("log.xes.gz", LOG);

        // when
        Path slice = LogReference.slice(file, 1, folder.resolve("slice.xes.gz"));

        // then
        LogReference reference = LogReference.read("LoanApplication", slice);
        assertThat(reference.cases()).containsOnlyKeys("Case 1");
        assertThat(reference.events()).isEqualTo(2);
    }

    private Path gzipped(String name, String content) throws IOException {
        Path file = folder.resolve(name);
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
            out.write(content.getBytes(StandardCharsets.UTF_8));
        }
        return file;
    }
}
