package io.polyglot.importer;

import static org.assertj.core.api.Assertions.assertThat;

import io.polyglot.importer.testing.Cli;
import io.polyglot.importer.testing.Cli.Run;
import io.polyglot.importer.testing.Datasets;
import io.polyglot.importer.testing.StandInCommandService;
import io.polyglot.importer.testing.StandInCommandService.Responder;
import io.polyglot.importer.testing.XesLogs;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A gzipped log cut short or damaged, through the command line to {@link StandInCommandService} (a real HTTP server on
 * loopback standing in for the command service, so the test sees exactly which commands arrived): the importer checks
 * a gzipped log whole before it sends its first event, so it names the compression fault and the file, sends nothing,
 * and exits as for a log it cannot read. Damage inside the compressed data mostly decompresses to other text, which
 * would otherwise be sent as events with other values before the trailer told.
 */
class DamagedGzipLogTest {

    @TempDir
    Path dir;

    @Test
    void reportsAnXesGzipCutShortAsTruncatedAndSendsNothing() throws Exception {
        try (StandInCommandService service = StandInCommandService.start(Responder.acceptAll())) {
            // given 5 cases of 4 events, of which the file holds the first 3 cases whole and then breaks off
            String xes = XesLogs.of(5, 4);
            int afterThirdCase = nthEnd(xes, "</trace>\n", 3);
            Path log = dir.resolve("loans.xes.gz");
            Files.write(log, gzipBrokenAfter(xes, afterThirdCase, Break.CUT_SHORT));

            // when
            Run run = importXes(service, log);

            // then
            assertThat(run.exitStatus()).as(run.err()).isEqualTo(ExitStatus.MALFORMED_LOG);
            assertThat(run.err())
                    .contains("cannot read " + log + ": the gzip file is truncated")
                    .contains(NOTHING_SENT)
                    .doesNotContain("malformed")
                    .doesNotContain("\tat ");
            assertNothingSent(run, service);
        }
    }

    @Test
    void reportsADamagedXesGzipAsCorruptAndSendsNothing() throws Exception {
        try (StandInCommandService service = StandInCommandService.start(Responder.acceptAll())) {
            // given 1,000 cases of 4 events, whose compressed bytes after the first 800 cases are no deflate block
            String xes = XesLogs.of(1_000, 4);
            Path log = dir.resolve("loans.xes.gz");
            Files.write(log, gzipBrokenAfter(xes, nthEnd(xes, "</trace>\n", 800), Break.DAMAGED));

            // when
            Run run = importXes(service, log);

            // then
            assertThat(run.exitStatus()).as(run.err()).isEqualTo(ExitStatus.MALFORMED_LOG);
            assertThat(run.err())
                    .contains("cannot read " + log + ": the gzip file is corrupt: invalid block type")
                    .contains(NOTHING_SENT)
                    .doesNotContain("malformed");
            assertNothingSent(run, service);
        }
    }

    @Test
    void reportsAnXesGzipWhoseChecksumDoesNotMatchAsCorruptAndSendsNothing() throws Exception {
        try (StandInCommandService service = StandInCommandService.start(Responder.acceptAll())) {
            // given 3 cases of 4 events, whole, in a file whose CRC-32 in the gzip trailer is off by one
            ByteArrayOutputStream file = new ByteArrayOutputStream();
            try (GZIPOutputStream gzip = new GZIPOutputStream(file)) {
                gzip.write(XesLogs.of(3, 4).getBytes(StandardCharsets.UTF_8));
            }
            byte[] bytes = file.toByteArray();
            bytes[bytes.length - 8]++;
            Path log = dir.resolve("loans.xes.gz");
            Files.write(log, bytes);

            // when
            Run run = importXes(service, log);

            // then
            assertThat(run.exitStatus()).as(run.err()).isEqualTo(ExitStatus.MALFORMED_LOG);
            assertThat(run.err())
                    .contains("cannot read " + log + ": the gzip file is corrupt: Corrupt GZIP trailer")
                    .contains(NOTHING_SENT)
                    .doesNotContain("\tat ");
            assertNothingSent(run, service);
        }
    }

    @Test
    void reportsACsvGzipCutShortAsTruncatedAndSendsNothing() throws Exception {
        try (StandInCommandService service = StandInCommandService.start(Responder.acceptAll())) {
            // given 10 rows, of which the file holds the first 6 whole and then breaks off
            StringBuilder csv = new StringBuilder("case,activity,time\n");
            for (int row = 1; row <= 10; row++) {
                csv.append("c-")
                        .append(row)
                        .append(",Observed,2013-01-01T0")
                        .append(row % 10)
                        .append(":00:00Z\n");
            }
            int afterSixthRow = nthEnd(csv.toString(), "\n", 7);
            Path log = dir.resolve("weather.csv.gz");
            Files.write(log, gzipBrokenAfter(csv.toString(), afterSixthRow, Break.CUT_SHORT));

            // when
            Run run = Cli.run(
                    Map.of(),
                    "--type",
                    "WeatherStation",
                    "--case-column",
                    "case",
                    "--activity-column",
                    "activity",
                    "--time-column",
                    "time",
                    "--url",
                    service.url().toString(),
                    "--progress",
                    "off",
                    log.toString());

            // then
            assertThat(run.exitStatus()).as(run.err()).isEqualTo(ExitStatus.MALFORMED_LOG);
            assertThat(run.err())
                    .contains("cannot read " + log + ": the gzip file is truncated")
                    .contains(NOTHING_SENT)
                    .doesNotContain("malformed");
            assertNothingSent(run, service);
        }
    }

    @Test
    void reportsARealXesLogWithAByteFlippedInItsCompressedDataAsCorruptAndSendsNothing() throws Exception {
        // given the helpdesk log (21,348 events), damaged at one of several places of its compressed data each time
        byte[] whole = Files.readAllBytes(Datasets.helpdesk());
        for (double share : FLIPPED_AT) {
            int offset = offsetInCompressedData(whole, share);
            Path log = dir.resolve("helpdesk-flipped-at-" + offset + ".xes.gz");
            Files.write(log, flipped(whole, offset));
            try (StandInCommandService service = StandInCommandService.start(Responder.acceptAll())) {
                // when
                Run run = importXes(service, log);

                // then
                assertDamageReported(run, log, service);
            }
        }
    }

    @Test
    void reportsARealCsvLogWithAByteFlippedInItsCompressedDataAsCorruptAndSendsNothing() throws Exception {
        // given the weather readings (26,115 rows), damaged at one of several places of the compressed data each time;
        // the first two turn the header row into one without the case column and one naming a column twice
        byte[] whole = Files.readAllBytes(Datasets.weather());
        int dataStart = offsetInCompressedData(whole, 0);
        List<Integer> offsets = new ArrayList<>(List.of(dataStart + 36, dataStart + 180));
        for (double share : FLIPPED_AT) {
            offsets.add(offsetInCompressedData(whole, share));
        }
        for (int offset : offsets) {
            Path log = dir.resolve("weather-flipped-at-" + offset + ".csv.gz");
            Files.write(log, flipped(whole, offset));
            try (StandInCommandService service = StandInCommandService.start(Responder.acceptAll())) {
                // when
                List<String> args = new ArrayList<>(Datasets.weatherOptions());
                args.addAll(List.of("--url", service.url().toString(), "--progress", "off", log.toString()));
                Run run = Cli.run(Map.of(), args.toArray(String[]::new));

                // then
                assertDamageReported(run, log, service);
            }
        }
    }

    /** Where in the compressed data bytes are flipped, as shares of its length. */
    private static final double[] FLIPPED_AT = {0.05, 0.25, 0.5, 0.75, 0.95};

    /** What the importer says of a damaged gzipped log, besides the fault. */
    private static final String NOTHING_SENT =
            "nothing was sent (a gzipped log is checked whole before its first event is sent)";

    /** The import of a damaged log ended as one of a corrupt gzip file, and nothing of it was sent. */
    private static void assertDamageReported(Run run, Path log, StandInCommandService service) {
        assertThat(run.exitStatus()).as(run.err()).isEqualTo(ExitStatus.MALFORMED_LOG);
        assertThat(run.err())
                .as(log.toString())
                .contains("import: cannot read " + log + ": the gzip file is corrupt: ")
                .contains(NOTHING_SENT)
                .doesNotContain("import: malformed")
                .doesNotContain("\tat ");
        assertNothingSent(run, service);
    }

    /** No command reached the command service, and the summary says that none was read or sent. */
    private static void assertNothingSent(Run run, StandInCommandService service) {
        assertThat(service.answeredLines()).as(run.out()).isEmpty();
        assertThat(count(run.out(), "read")).as(run.out()).isZero();
        assertThat(count(run.out(), "sent")).as(run.out()).isZero();
    }

    /** The number that follows {@code label} at the start of a line of the summary. */
    private static long count(String summary, String label) {
        Matcher line = Pattern.compile("(?m)^" + label + " +([\\d,]+)").matcher(summary);
        assertThat(line.find()).as("%s in the summary:%n%s", label, summary).isTrue();
        return Long.parseLong(line.group(1).replace(",", ""));
    }

    private static String typeOf(StandInCommandService service) {
        return service.answeredLines().get(0).path("aggregateType").asText();
    }

    /**
     * The offset {@code share} of the way through the compressed data of {@code gzip}: after its header (10 bytes,
     * then the optional extra field, file name, comment and header CRC its flags announce) and before its 8-byte
     * trailer.
     */
    private static int offsetInCompressedData(byte[] gzip, double share) {
        int flags = gzip[3];
        int at = 10;
        if ((flags & 4) != 0) {
            at += 2 + (gzip[at] & 0xff) + ((gzip[at + 1] & 0xff) << 8);
        }
        for (int zeroTerminated : new int[] {8, 16}) {
            if ((flags & zeroTerminated) != 0) {
                while (gzip[at] != 0) {
                    at++;
                }
                at++;
            }
        }
        if ((flags & 2) != 0) {
            at += 2;
        }
        return at + (int) ((gzip.length - 8 - at) * share);
    }

    /** A copy of {@code bytes} with every bit of the byte at {@code offset} flipped. */
    private static byte[] flipped(byte[] bytes, int offset) {
        byte[] copy = bytes.clone();
        copy[offset] ^= (byte) 0xff;
        return copy;
    }

    private static Run importXes(StandInCommandService service, Path log) {
        return Cli.run(
                Map.of(),
                "--type",
                "LoanApplication",
                "--url",
                service.url().toString(),
                "--progress",
                "off",
                log.toString());
    }

    /** How the compressed bytes after the break point go wrong. */
    private enum Break {
        /** The file ends there, as a copy that did not finish. */
        CUT_SHORT,
        /** The file goes on with bytes that are no deflate block. */
        DAMAGED
    }

    /**
     * {@code text} gzipped so that its first {@code whole} characters decompress in full and the file breaks right
     * after them: the compressor is flushed there, which ends a deflate block on a byte boundary.
     */
    private static byte[] gzipBrokenAfter(String text, int whole, Break how) throws IOException {
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        int flushedAt;
        try (GZIPOutputStream gzip = new GZIPOutputStream(file, true)) {
            gzip.write(text.substring(0, whole).getBytes(StandardCharsets.UTF_8));
            gzip.flush();
            flushedAt = file.size();
            gzip.write(text.substring(whole).getBytes(StandardCharsets.UTF_8));
        }
        byte[] bytes = file.toByteArray();
        if (how == Break.CUT_SHORT) {
            return Arrays.copyOf(bytes, flushedAt);
        }
        // 0xff opens a final block of type 3, which deflate does not have.
        Arrays.fill(bytes, flushedAt, bytes.length, (byte) 0xff);
        return bytes;
    }

    /** The index just after the {@code n}th occurrence of {@code marker} in {@code text}. */
    private static int nthEnd(String text, String marker, int n) {
        int at = -1;
        for (int i = 0; i < n; i++) {
            at = text.indexOf(marker, at + 1);
        }
        return at + marker.length();
    }
}
