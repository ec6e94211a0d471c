package io.polyglot.importer.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.polyglot.importer.testing.SteppingClock;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ProgressTest {

    private final SteppingClock clock = new SteppingClock(Instant.parse("2024-01-01T00:00:00Z"));
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong bytesRead = new AtomicLong();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private Progress progress(Progress.Mode mode, long totalBytes, Duration lineInterval) {
        return new Progress(
                mode,
                new PrintStream(err, true, StandardCharsets.UTF_8),
                clock,
                sent::get,
                bytesRead::get,
                totalBytes,
                lineInterval);
    }

    @Test
    void showsTheShareReadTheEventsSentAndTheRate() {
        // given 40 of 100 bytes read and 25,000 events sent in 10 seconds
        Progress progress = progress(Progress.Mode.LINES, 100, Duration.ofSeconds(5));
        bytesRead.set(40);
        sent.set(25_000);
        clock.advance(Duration.ofSeconds(10));

        // when
        String line = progress.render(clock.instant());

        // then
        assertThat(line).isEqualTo(" 40.0% read, 25,000 events sent, 2,500 events/s, 10.0s");
    }

    @Test
    void drawsABarOnATerminal() {
        // given half the file read
        Progress progress = progress(Progress.Mode.BAR, 1000, Duration.ofSeconds(5));
        bytesRead.set(500);

        // when
        String line = progress.render(clock.instant());

        // then
        assertThat(line).startsWith("[" + "#".repeat(15) + ".".repeat(15) + "]  50.0% read");
    }

    @Test
    void leavesOutTheShareWhenTheSizeIsUnknown() {
        // given
        Progress progress = progress(Progress.Mode.LINES, 0, Duration.ofSeconds(5));
        sent.set(7);

        // when / then
        assertThat(progress.render(clock.instant())).isEqualTo("7 events sent, 0 events/s, 0.0s");
    }

    @Test
    void writesPlainLinesWithoutControlCharactersWhenNotOnATerminal() {
        // given progress in line mode with a short interval
        Progress progress = progress(Progress.Mode.LINES, 100, Duration.ofMillis(20));
        sent.set(3);

        // when
        progress.start();
        await().atMost(Duration.ofSeconds(5))
                .until(() -> err.toString(StandardCharsets.UTF_8).lines().count() >= 2);
        progress.note("retrying");
        progress.close();

        // then
        String written = err.toString(StandardCharsets.UTF_8);
        assertThat(written).doesNotContain("\r").doesNotContain("\u001b");
        assertThat(written.lines()).allMatch(line -> line.startsWith("import: "));
        assertThat(written).contains("import: retrying");
    }

    @Test
    void rendersEveryCountTheBytesReadAndTheRateAsOneJsonObject() {
        // given 120 events read, 100 sent (90 accepted, 10 rejected) and 40 of 100 bytes read in 4 seconds
        Progress progress = new Progress(
                Progress.Mode.JSON,
                new PrintStream(err, true, StandardCharsets.UTF_8),
                clock,
                new Progress.Counts(() -> 120, () -> 100, () -> 90, () -> 10),
                bytesRead::get,
                100,
                Duration.ofSeconds(5));
        bytesRead.set(40);
        clock.advance(Duration.ofSeconds(4));

        // when
        String line = progress.renderJson(clock.instant());

        // then
        assertThat(line)
                .isEqualTo("{\"read\":120,\"sent\":100,\"accepted\":90,\"rejected\":10,\"bytesRead\":40,"
                        + "\"totalBytes\":100,\"eventsPerSecond\":25,\"elapsedMillis\":4000}");
    }

    @Test
    void writesOnlyJsonLinesInJsonModeAndAFinalOneAtTheEnd() {
        // given
        Progress progress = progress(Progress.Mode.JSON, 100, Duration.ofSeconds(5));
        sent.set(3);

        // when
        progress.start();
        progress.note("retrying");
        sent.set(5);
        progress.close();

        // then
        List<String> lines = err.toString(StandardCharsets.UTF_8).lines().toList();
        assertThat(lines).allMatch(line -> line.startsWith("{") && line.endsWith("}"));
        assertThat(lines).contains("{\"note\":\"retrying\"}");
        assertThat(lines.get(lines.size() - 1)).contains("\"sent\":5");
    }

    @Test
    void writesItsLastLineOnceAndNothingAfterIt() {
        // given progress closed at the end of a run
        Progress progress = progress(Progress.Mode.JSON, 100, Duration.ofSeconds(5));
        progress.start();
        progress.close();

        // when: closed again, as the shutdown hook of a SIGTERM does, and started again
        progress.close();
        progress.start();

        // then: one last line, and no tick after it (a tick comes every second in JSON mode)
        await().during(Duration.ofMillis(1_500))
                .atMost(Duration.ofSeconds(5))
                .until(() -> err.toString(StandardCharsets.UTF_8).lines().count() == 1);
    }

    @Test
    void formatsDurationsInSecondsOrMinutes() {
        assertThat(Progress.formatDuration(Duration.ofMillis(12_345))).isEqualTo("12.3s");
        assertThat(Progress.formatDuration(Duration.ofSeconds(65))).isEqualTo("1m05s");
    }
}
