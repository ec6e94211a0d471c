package io.polyglot.importer;

import static org.assertj.core.api.Assertions.assertThat;

import io.polyglot.importer.testing.Cli;
import io.polyglot.importer.testing.Cli.Run;
import io.polyglot.importer.testing.XesLogs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad command lines exit with status 2 and say what is wrong, before anything is sent. */
class ImportUsageTest {

    @TempDir
    Path dir;

    private Run importing(String... args) {
        return Cli.run(Map.of("COMMAND_URL", "http://127.0.0.1:9"), args);
    }

    @Test
    void refusesAMissingType() throws Exception {
        Path log = XesLogs.write(dir.resolve("a.xes"), XesLogs.of(1, 1));

        Run run = importing(log.toString());

        assertThat(run.exitStatus()).isEqualTo(ExitStatus.USAGE);
        assertThat(run.err()).contains("--type");
    }

    @Test
    void refusesAnAggregateTypeOutsideTheNameRuleInsteadOfRewritingIt() throws Exception {
        Path log = XesLogs.write(dir.resolve("a.xes"), XesLogs.of(1, 1));

        Run run = importing("--type", "../x", log.toString());

        assertThat(run.exitStatus()).isEqualTo(ExitStatus.USAGE);
        assertThat(run.err()).contains("'../x' is not an aggregate type");
    }

    @Test
    void refusesAFileWhoseFormatCannotBeTold() throws Exception {
        Path log = Files.writeString(dir.resolve("events.json"), "{}");

        Run run = importing("--type", "Ticket", log.toString());

        assertThat(run.exitStatus()).isEqualTo(ExitStatus.USAGE);
        assertThat(run.err()).contains("--format xes|csv");
    }

    @Test
    void refusesAMissingFile() {
        Run run = importing("--type", "Ticket", dir.resolve("nothing.xes").toString());

        assertThat(run.exitStatus()).isEqualTo(ExitStatus.USAGE);
        assertThat(run.err()).contains("no such file");
    }

    @Test
    void refusesACsvLogWithoutCaseAndTimeColumns() throws Exception {
        Path log = Files.writeString(dir.resolve("w.csv"), "origin,time_hour\nEWR,2013-01-01T06:00:00Z\n");

        Run run = importing("--type", "Weather", "--activity", "WeatherObserved", log.toString());

        assertThat(run.exitStatus()).isEqualTo(ExitStatus.USAGE);
        assertThat(run.err()).contains("--case-column and --time-column");
    }

    @Test
    void refusesBothAnActivityColumnAndAConstantActivity() throws Exception {
        Path log = Files.writeString(dir.resolve("w.csv"), "origin,time_hour\nEWR,2013-01-01T06:00:00Z\n");

        Run run = importing(
                "--type",
                "Weather",
                "--case-column",
                "origin",
                "--time-column",
                "time_hour",
                "--activity",
                "Seen",
                "--activity-column",
                "origin",
                log.toString());

        assertThat(run.exitStatus()).isEqualTo(ExitStatus.USAGE);
        assertThat(run.err()).contains("exactly one of --activity-column and --activity");
    }

    @Test
    void refusesAColumnTheCsvHeaderLacks() throws Exception {
        Path log = Files.writeString(dir.resolve("w.csv"), "origin,time_hour\nEWR,2013-01-01T06:00:00Z\n");

        Run run = importing(
                "--type",
                "Weather",
                "--case-column",
                "station",
                "--time-column",
                "time_hour",
                "--activity",
                "Seen",
                "--progress",
                "off",
                log.toString());

        assertThat(run.exitStatus()).isEqualTo(ExitStatus.USAGE);
        assertThat(run.err()).contains("column 'station' is not in the CSV header (origin, time_hour)");
    }

    @Test
    void refusesCsvFlagsForAnXesLog() throws Exception {
        Path log = XesLogs.write(dir.resolve("a.xes"), XesLogs.of(1, 1));

        Run run = importing("--type", "Ticket", "--case-column", "x", log.toString());

        assertThat(run.exitStatus()).isEqualTo(ExitStatus.USAGE);
        assertThat(run.err()).contains("do not apply to an XES log");
    }

    @Test
    void refusesABatchSizeAboveTheCommandServicesLimit() throws Exception {
        Path log = XesLogs.write(dir.resolve("a.xes"), XesLogs.of(1, 1));

        Run run = importing("--type", "Ticket", "--batch-size", "10001", log.toString());

        assertThat(run.exitStatus()).isEqualTo(ExitStatus.USAGE);
        assertThat(run.err()).contains("--batch-size must be between 1 and 10000");
    }

    @Test
    void refusesAUrlThatIsNotHttp() throws Exception {
        Path log = XesLogs.write(dir.resolve("a.xes"), XesLogs.of(1, 1));

        Run run = importing("--type", "Ticket", "--url", "ftp://127.0.0.1/", log.toString());

        assertThat(run.exitStatus()).isEqualTo(ExitStatus.USAGE);
        assertThat(run.err()).contains("is not an http(s) URL");
    }

    @Test
    void printsHelpWithTheExitStatuses() {
        Run run = importing("--help");

        assertThat(run.exitStatus()).isZero();
        assertThat(run.out()).contains("--case-column").contains("Exit status:").contains("POLYGLOT_TOKEN");
    }

    @Test
    void saysThatADirectoryIsADirectoryRatherThanNoSuchFile() throws Exception {
        Path folder = Files.createDirectory(dir.resolve("adir.xes"));

        Run run = importing("--type", "LoanApplication", folder.toString());

        assertThat(run.exitStatus()).isEqualTo(ExitStatus.USAGE);
        assertThat(run.err())
                .contains(folder + " is a directory, not a log file")
                .doesNotContain("no such file");
    }
}
