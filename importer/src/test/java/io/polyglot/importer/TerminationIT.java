package io.polyglot.importer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.polyglot.importer.testing.StandInCommandService;
import io.polyglot.importer.testing.StandInCommandService.Responder;
import io.polyglot.importer.testing.XesLogs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The importer's jar as a process stopped with SIGTERM, as the dashboard's Cancel stops it: its last progress line and
 * its summary are written on the way out and count what was sent until then. The command service is {@link
 * StandInCommandService}, a real HTTP server on loopback, because the tests need it to hold requests unanswered so that
 * the import is still going when the SIGTERM comes, which a real command service does not do on demand.
 */
class TerminationIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path ROOT =
            Path.of(System.getProperty("polyglot.root", "..")).toAbsolutePath().normalize();

    @TempDir
    Path dir;

    @Test
    void writesItsLastProgressLineAndItsSummaryWhenTerminated() throws Exception {
        CountDownLatch released = new CountDownLatch(1);
        // the first request is answered, the later ones held, so the import is still sending when it is stopped
        Responder firstOnly = (number, lines) -> {
            if (number > 1) {
                hold(released);
            }
            return Responder.acceptAll().answer(number, lines);
        };
        try (StandInCommandService service = StandInCommandService.start(firstOnly)) {
            // given
            Path log = XesLogs.write(dir.resolve("log.xes"), XesLogs.of(200, 10));
            Process importer = start(service, log);
            // a tick has counted the first answer, so the counts at the end are not all zero
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> Files.readAllLines(dir.resolve("err.txt")).stream()
                            .anyMatch(line -> line.startsWith("{\"read\"") && !line.contains("\"accepted\":0")));

            // when
            importer.destroy();

            // then
            assertThat(importer.waitFor(20, TimeUnit.SECONDS)).isTrue();
            released.countDown();
            assertThat(importer.exitValue()).isEqualTo(143);
            String summary = Files.readString(dir.resolve("out.txt"));
            JsonNode last = lastJsonLine(Files.readAllLines(dir.resolve("err.txt")));
            assertThat(count(summary, "sent"))
                    .isPositive()
                    .isEqualTo(last.path("sent").asLong());
            assertThat(count(summary, "accepted"))
                    .isEqualTo(last.path("accepted").asLong());
            // the held batch was sent and never answered
            assertThat(count(summary, "not answered"))
                    .isPositive()
                    .isEqualTo(count(summary, "sent") - count(summary, "accepted"));
        }
    }

    /**
     * SIGTERM from 0 to 2 s after the importer began reading its options: while it reads them, opens the log and the
     * HTTP client (seconds on a loaded machine), reads the log and sends. A new importer for each delay.
     */
    @Test
    void writesItsSummaryWhenTerminatedAtAnyPointOfItsStart() throws Exception {
        CountDownLatch released = new CountDownLatch(1);
        // Every request is held, so the import is still going whenever the SIGTERM comes.
        Responder holdingAll = (number, lines) -> {
            hold(released);
            return Responder.acceptAll().answer(number, lines);
        };
        ScheduledExecutorService terminator = Executors.newSingleThreadScheduledExecutor();
        List<Process> started = new ArrayList<>();
        try (StandInCommandService service = StandInCommandService.start(holdingAll)) {
            // given
            Path log = XesLogs.write(dir.resolve("log.xes"), XesLogs.of(200, 10));
            List<String> failures = new ArrayList<>();
            for (int delay = 0; delay <= 2_000; delay += 100) {
                Path run = Files.createDirectory(dir.resolve("terminated-" + delay + "ms-after-start"));
                Process importer = startLoggingClasses(service, log, run);
                started.add(importer);
                // Once the importer's code runs: it reads its options with picocli, which the JVM's class log names
                // once loaded. A SIGTERM in the JVM's own start before that ends it without a word (see the README).
                await().atMost(Duration.ofSeconds(60))
                        .pollInterval(Duration.ofMillis(1))
                        .until(() -> hasLoaded(run, "picocli.CommandLine"));

                // when
                terminator
                        .schedule(importer::destroy, delay, TimeUnit.MILLISECONDS)
                        .get();

                // then
                assertThat(importer.waitFor(30, TimeUnit.SECONDS)).isTrue();
                String wrong = wrongEnding(importer.exitValue(), run);
                if (wrong != null) {
                    failures.add("terminated " + delay + " ms after it began reading its options: " + wrong);
                }
            }
            assertThat(failures).isEmpty();
        } finally {
            released.countDown();
            terminator.shutdownNow();
            started.forEach(Process::destroyForcibly);
        }
    }

    /** Whether the JVM's class log in {@code run} names {@code className} as loaded. */
    private static boolean hasLoaded(Path run, String className) throws Exception {
        Path classes = run.resolve("classes.log");
        return Files.exists(classes) && Files.readString(classes).contains("] " + className + " source: ");
    }

    /** What is wrong with how a terminated importer ended, or null when it wrote its summary and exited 143. */
    private static String wrongEnding(int exitStatus, Path run) throws Exception {
        String summary = Files.readString(run.resolve("out.txt"));
        List<String> err = Files.readAllLines(run.resolve("err.txt"));
        String ending = "exit status " + exitStatus + ", stdout:\n" + summary + "stderr:\n" + String.join("\n", err);
        if (exitStatus != 143) {
            return ending;
        }
        Map<String, Long> counts = new LinkedHashMap<>();
        for (String label : List.of("read", "sent", "accepted", "not decided", "not answered")) {
            Matcher line = Pattern.compile("(?m)^" + label + " +([\\d,]+)").matcher(summary);
            if (!line.find()) {
                return "no line '" + label + "' in the summary; " + ending;
            }
            counts.put(label, Long.parseLong(line.group(1).replace(",", "")));
        }
        Matcher rejected = Pattern.compile(
                        "(?m)^rejected +[\\d,]+ \\([\\d,]+ locally, ([\\d,]+) by the command service\\)")
                .matcher(summary);
        if (!rejected.find()) {
            return "no line 'rejected' in the summary; " + ending;
        }
        long answered = counts.get("accepted")
                + Long.parseLong(rejected.group(1).replace(",", ""))
                + counts.get("not decided")
                + counts.get("not answered");
        if (counts.get("sent") != answered) {
            return "the summary's lines do not add up to the commands sent; " + ending;
        }
        boolean progressShown = err.stream().anyMatch(line -> line.startsWith("{\"read\""));
        if (progressShown && !err.get(err.size() - 1).startsWith("{\"read\"")) {
            return "the last progress line is not the last line on stderr; " + ending;
        }
        return null;
    }

    /** Starts the importer, the JVM's class log and its output ({@code out.txt}, {@code err.txt}) in {@code run}. */
    private static Process startLoggingClasses(StandInCommandService service, Path log, Path run) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new ProcessBuilder(
                        java,
                        "-Xlog:class+load=info:file=" + run.resolve("classes.log"),
                        "-jar",
                        ROOT.resolve("importer/target/importer.jar").toString(),
                        "--type=LoanApplication",
                        "--url=" + service.url(),
                        "--progress=json",
                        log.toString())
                .redirectOutput(run.resolve("out.txt").toFile())
                .redirectError(run.resolve("err.txt").toFile())
                .start();
    }

    private Process start(StandInCommandService service, Path log) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new ProcessBuilder(
                        java,
                        "-jar",
                        ROOT.resolve("importer/target/importer.jar").toString(),
                        "--type=LoanApplication",
                        "--url=" + service.url(),
                        "--progress=json",
                        // One batch at a time, so the one request the stand-in answers is the importer's first batch
                        // and the progress counts its answer while the next batch is held; with several in flight the
                        // importer may wait for a held batch sent before the answered one.
                        "--in-flight=1",
                        log.toString())
                .redirectOutput(dir.resolve("out.txt").toFile())
                .redirectError(dir.resolve("err.txt").toFile())
                .start();
    }

    private static JsonNode lastJsonLine(List<String> lines) throws Exception {
        String last = lines.stream()
                .filter(line -> line.startsWith("{\"read\""))
                .reduce((first, second) -> second)
                .orElseThrow(() -> new AssertionError("no progress line in " + lines));
        assertThat(lines.get(lines.size() - 1)).isEqualTo(last);
        return JSON.readTree(last);
    }

    private static long count(String summary, String label) {
        Matcher matcher = Pattern.compile("(?m)^\\s*" + label + "\\s+([\\d,]+)").matcher(summary);
        assertThat(matcher.find()).as("%s in the summary:%n%s", label, summary).isTrue();
        return Long.parseLong(matcher.group(1).replace(",", ""));
    }

    private static void hold(CountDownLatch latch) {
        try {
            latch.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
