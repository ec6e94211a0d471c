package io.polyglot.projection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The packaged worker ({@code java -jar projection-worker.jar}) killed with SIGKILL just before and just after the
 * commit of a batch, held there by the test-only hook of {@link TestStall}; failsafe runs it once the jar is built.
 */
class KilledWorkerProcessTest extends WorkersOnKafkaAndPostgres {

    private static final int STALLED_BATCH = 3;

    private final List<Process> processes = new ArrayList<>();

    @AfterEach
    void killWhatStillRuns() throws InterruptedException {
        for (Process process : processes) {
            process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void aWorkerKilledJustBeforeItsCommitLeavesViewsEqualToTheReferenceFoldAfterARestart() throws Exception {
        killAtThenRestart("before-commit", 31);
    }

    @Test
    void aWorkerKilledJustAfterItsCommitLeavesViewsEqualToTheReferenceFoldAfterARestart() throws Exception {
        killAtThenRestart("after-commit", 32);
    }

    private void killAtThenRestart(String point, long seed) throws Exception {
        // given a worker process that stalls at the point in its third batch
        SyntheticLog eventLog = SyntheticLog.generate(seed, 60, 40);
        int firstPart = eventLog.entries().size() / 2;
        eventLog.firstPart(firstPart).produceTo(servers.bootstrapServers(), workers.topic());
        Path stalledLog = dataDir.resolve(point + "-" + seed + ".log");
        Process stalled = launch(
                List.of(
                        "-D" + TestStall.STALL_AT_PROPERTY + "=" + point,
                        "-D" + TestStall.STALL_AT_BATCH_PROPERTY + "=" + STALLED_BATCH),
                stalledLog);
        await().atMost(Duration.ofSeconds(120))
                .until(() -> Files.readString(stalledLog).contains("stalled at"));
        long storedWhenStalled = storedInAll();

        // when it is killed there with SIGKILL, more events arrive, and a worker without the hook starts
        ProcessHandle.of(stalled.pid()).ifPresent(ProcessHandle::destroyForcibly);
        assertThat(stalled.waitFor(30, TimeUnit.SECONDS)).isTrue();
        eventLog.rest(firstPart).produceTo(servers.bootstrapServers(), workers.topic());
        launch(List.of(), dataDir.resolve(point + "-" + seed + "-restarted.log"));

        // then the kill came mid-stream, and every read model equals the reference fold of all the events
        assertThat(storedWhenStalled).isPositive().isLessThan(firstPart);
        workers.awaitViewsEqualTheFoldOf(eventLog);
        await().atMost(TestWorkers.PROJECTED_WITHIN)
                .until(() -> storedInAll() == eventLog.entries().size());
    }

    private long storedInAll() throws Exception {
        return workers.storedOffsets().values().stream()
                .mapToLong(offset -> Math.max(0, offset))
                .sum();
    }

    private Process launch(List<String> systemProperties, Path output) throws IOException {
        Path jar = Path.of(System.getProperty("polyglot.root"), "projection-worker", "target", "projection-worker.jar");
        assertThat(jar)
                .as("the worker's jar; build it with mvn -o -q -pl projection-worker package -DskipTests")
                .isRegularFile();
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(systemProperties);
        command.addAll(List.of("-jar", jar.toString()));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().clear();
        // A killed member stays in the group until its session times out: a short one lets the restart take over
        // sooner.
        builder.environment()
                .putAll(workers.environment(
                        20, Map.of("AWS_EC2_METADATA_DISABLED", "true", "KAFKA_CONSUMER_SESSION_TIMEOUT_MS", "10000")));
        builder.redirectErrorStream(true);
        builder.redirectOutput(output.toFile());
        Process process = builder.start();
        processes.add(process);
        return process;
    }
}
