package io.polyglot.projection;

import static org.assertj.core.api.Assertions.as;
import static org.assertj.core.api.Assertions.assertThat;

import io.polyglot.stack.FreePorts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.Test;

/**
 * The rebuild as {@code ./polyglot projection rebuild} runs it: {@code java -cp projection-worker.jar
 * io.polyglot.projection.rebuild.RebuildMain VIEW...}; failsafe runs it once the jar is built.
 */
class RebuildProcessTest extends WorkersOnKafkaAndPostgres {

    private static final String MAIN = "io.polyglot.projection.rebuild.RebuildMain";

    @Test
    void rebuildsANamedViewBesideALiveWorkerAndSaysSoOnStderr() throws Exception {
        // given a live worker that projected a log
        SyntheticLog eventLog = projectedByALiveWorker(SyntheticLog.generate(51, 40, 30));

        // when
        Path stderr = dataDir.resolve("rebuild-" + workers.group() + ".err");
        Process rebuild = launch(List.of("loan_applications"), Map.of(), stderr);

        // then
        assertThat(rebuild.waitFor(3, TimeUnit.MINUTES)).isTrue();
        assertThat(rebuild.exitValue()).as(Files.readString(stderr)).isZero();
        assertThat(Files.readString(stderr))
                .contains("rebuild: rebuilding loan_applications from 3 partitions")
                .contains("rebuild: swapped in loan_application at offsets")
                .contains("{loan_application=0}");
        workers.awaitViewsEqualTheFoldOf(eventLog);
    }

    @Test
    void refusesAnUnknownViewWithExitStatusThree() throws Exception {
        // when
        Path stderr = dataDir.resolve("refused-" + workers.group() + ".err");
        Process rebuild = launch(List.of("invoices"), Map.of(), stderr);

        // then
        assertThat(rebuild.waitFor(3, TimeUnit.MINUTES)).isTrue();
        assertThat(rebuild.exitValue()).isEqualTo(3);
        assertThat(Files.readString(stderr)).contains("rebuild: refused: no view invoices can be rebuilt");
    }

    @Test
    void printsItsOwnProgressLinesOnStderrWithNoLibraryInfoLinesAndNothingOnStdout() throws Exception {
        // given a live worker that projected a small log, and a read model the rebuild migrates again
        projectedByALiveWorker(SyntheticLog.generate(52, 5, 5));
        Path stderr = dataDir.resolve("quiet-" + workers.group() + ".err");
        Path stdout = dataDir.resolve("quiet-" + workers.group() + ".out");

        // when
        Process rebuild = launch(List.of("loan_applications"), Map.of(), stderr, stdout);

        // then
        assertThat(rebuild.waitFor(3, TimeUnit.MINUTES)).isTrue();
        assertThat(rebuild.exitValue()).as(Files.readString(stderr)).isZero();
        assertThat(Files.readString(stdout)).isEmpty();
        assertThat(Files.readAllLines(stderr))
                .contains("rebuild: caught up with the live worker; swapping in one transaction")
                .noneMatch(line -> line.startsWith("INFO") || line.contains(" INFO "))
                .noneMatch(line -> line.toLowerCase(Locale.ROOT).contains("flyway"));
    }

    @Test
    void saysInOneLineThatTheDatabaseCannotBeReachedAndExitsTwo() throws Exception {
        // given a database URL with a port nobody listens on, as of a stack that was stopped
        int port = FreePorts.pick();
        String nowhere = "postgresql://polyglot:secret@127.0.0.1:" + port + "/polyglot";
        Path stderr = dataDir.resolve("unreachable-" + workers.group() + ".err");
        Path stdout = dataDir.resolve("unreachable-" + workers.group() + ".out");

        // when
        Process rebuild = launch(List.of(), Map.of("DATABASE_URL", nowhere), stderr, stdout);

        // then
        assertThat(rebuild.waitFor(3, TimeUnit.MINUTES)).isTrue();
        assertThat(rebuild.exitValue()).as(Files.readString(stderr)).isEqualTo(2);
        assertThat(Files.readString(stdout)).isEmpty();
        assertThat(Files.readAllLines(stderr))
                .singleElement(as(InstanceOfAssertFactories.STRING))
                .startsWith("rebuild: could not run: the database at 127.0.0.1:" + port + " cannot be reached: ")
                .doesNotContain("Exception")
                .doesNotContain("secret");
    }

    private SyntheticLog projectedByALiveWorker(SyntheticLog eventLog) {
        eventLog.produceTo(servers.bootstrapServers(), workers.topic());
        workers.start(50);
        workers.awaitViewsEqualTheFoldOf(eventLog);
        return eventLog;
    }

    private Process launch(List<String> views, Map<String, String> settings, Path stderr) throws IOException {
        return launch(views, settings, stderr, ProcessBuilder.Redirect.DISCARD);
    }

    private Process launch(List<String> views, Map<String, String> settings, Path stderr, Path stdout)
            throws IOException {
        return launch(views, settings, stderr, ProcessBuilder.Redirect.to(stdout.toFile()));
    }

    private Process launch(
            List<String> views, Map<String, String> settings, Path stderr, ProcessBuilder.Redirect stdout)
            throws IOException {
        Path jar = Path.of(System.getProperty("polyglot.root"), "projection-worker", "target", "projection-worker.jar");
        assertThat(jar)
                .as("the worker's jar; build it with mvn -o -q -pl projection-worker package -DskipTests")
                .isRegularFile();
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp", jar.toString(), MAIN));
        command.addAll(views);
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().clear();
        builder.environment().putAll(workers.environment(100, Map.of("AWS_EC2_METADATA_DISABLED", "true")));
        builder.environment().putAll(settings);
        builder.redirectOutput(stdout);
        builder.redirectError(stderr.toFile());
        return builder.start();
    }
}
