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
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The importer's jar as a process stopped with SIGTERM, as the dashboard's Cancel stops it: its last progress line and
 * its summary are written on the way out and count what was sent until then.
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
