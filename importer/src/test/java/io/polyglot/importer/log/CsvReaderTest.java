package io.polyglot.importer.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;
import static org.assertj.core.api.Assertions.tuple;

import io.polyglot.importer.testing.CollectingSink;
import io.polyglot.importer.testing.Datasets;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CsvReaderTest {

    private static final CsvMapping WEATHER =
            new CsvMapping("origin", null, "WeatherObserved", "time_hour", null, null, TimestampParser.isoWithOffset());

    private static CollectingSink read(String csv, CsvMapping mapping) throws Exception {
        CollectingSink sink = new CollectingSink();
        new CsvReader(new ByteArrayInputStream(csv.getBytes(StandardCharsets.UTF_8)), mapping).read(sink);
        return sink;
    }

    @Test
    void mapsTheNamedColumnsAndKeepsEveryOtherAsAnAttribute() throws Exception {
        // given a CSV log with case, activity, time, lifecycle and resource columns
        String csv = """
                case,step,at,phase,who,amount,note
                c1,Open,2020-01-01T10:00:00Z,start,ann,12.50,first
                c1,Close,2020-01-01T11:00:00+01:00,complete,,NA,
                """;
        CsvMapping mapping =
                new CsvMapping("case", "step", null, "at", "phase", "who", TimestampParser.isoWithOffset());

        // when
        CollectingSink sink = read(csv, mapping);

        // then
        assertThat(sink.events())
                .extracting(
                        CaseEvent::caseId,
                        CaseEvent::position,
                        CaseEvent::activity,
                        CaseEvent::lifecycle,
                        CaseEvent::resource,
                        CaseEvent::occurredAt)
                .containsExactly(
                        tuple("c1", 1, "Open", "start", "ann", "2020-01-01T10:00:00Z"),
                        tuple("c1", 2, "Close", "complete", null, "2020-01-01T11:00:00+01:00"));
        assertThat(sink.events().get(0).attributes()).containsExactly(entry("amount", "12.50"), entry("note", "first"));
        assertThat(sink.events().get(1).attributes()).isEmpty();
    }

    @Test
    void numbersTheRowsOfInterleavedCasesInFileOrder() throws Exception {
        // given rows of two cases, interleaved
        String csv = """
                origin,time_hour,temp
                EWR,2013-01-01T06:00:00Z,39.02
                JFK,2013-01-01T06:00:00Z,39.92
                EWR,2013-01-01T07:00:00Z,39.02
                """;

        // when
        CollectingSink sink = read(csv, WEATHER);

        // then
        assertThat(sink.events())
                .extracting(CaseEvent::caseId, CaseEvent::position, CaseEvent::line)
                .containsExactly(tuple("EWR", 1, 2L), tuple("JFK", 1, 3L), tuple("EWR", 2, 4L));
    }

    @Test
    void readsTimesWithAPatternAndAZone() throws Exception {
        // given local times in a custom pattern
        String csv = "case,at\nc1,01/10/2011 00:38\n";
        CsvMapping mapping = new CsvMapping(
                "case",
                null,
                "Seen",
                "at",
                null,
                null,
                TimestampParser.of("dd/MM/yyyy HH:mm", ZoneId.of("Europe/Amsterdam")));

        // when
        CaseEvent event = read(csv, mapping).events().get(0);

        // then
        assertThat(event.occurredAt()).isEqualTo("2011-10-01T00:38:00+02:00");
    }

    @Test
    void reportsRowsWithoutCaseOrTimeAsUnusable() throws Exception {
        // given a row without a case id and one with an unreadable time
        String csv = """
                origin,time_hour
                ,2013-01-01T06:00:00Z
                EWR,NA
                EWR,2013-01-01 06:00
                """;

        // when
        CollectingSink sink = read(csv, WEATHER);

        // then
        assertThat(sink.unusable())
                .extracting(UnusableEvent::caseId, UnusableEvent::problem, UnusableEvent::line)
                .containsExactly(
                        tuple(null, UnusableEvent.MISSING_CASE_ID, 2L),
                        tuple("EWR", UnusableEvent.MISSING_TIMESTAMP, 3L),
                        tuple("EWR", UnusableEvent.INVALID_TIMESTAMP, 4L));
    }

    @Test
    void refusesAMappedColumnTheHeaderLacks() {
        // given a header without the case column
        String csv = "station,time_hour\nEWR,2013-01-01T06:00:00Z\n";

        // when / then
        assertThatThrownBy(() -> read(csv, WEATHER))
                .isInstanceOf(InvalidMappingException.class)
                .hasMessageContaining("'origin'")
                .hasMessageContaining("station, time_hour");
    }

    @Test
    void reportsARecordWithTheWrongNumberOfFieldsWithItsLine() {
        // given a third record with one field too many
        String csv = "origin,time_hour\nEWR,2013-01-01T06:00:00Z\nEWR,2013-01-01T07:00:00Z,extra\n";
        CollectingSink sink = new CollectingSink();

        // when / then
        assertThatThrownBy(() -> new CsvReader(new ByteArrayInputStream(csv.getBytes(StandardCharsets.UTF_8)), WEATHER)
                        .read(sink))
                .isInstanceOfSatisfying(MalformedLogException.class, e -> {
                    assertThat(e.line()).isEqualTo(3);
                    assertThat(e.getMessage()).contains("3 fields");
                });
        assertThat(sink.events()).hasSize(1);
    }

    @Test
    void reportsABrokenQuoteAsMalformed() {
        // given a quoted field with text after its closing quote
        String csv = "origin,time_hour\nEWR,2013-01-01T06:00:00Z\n\"EWR\"x,2013-01-01T07:00:00Z\n";

        // when / then
        assertThatThrownBy(() -> read(csv, WEATHER))
                .isInstanceOfSatisfying(
                        MalformedLogException.class, e -> assertThat(e.line()).isEqualTo(3));
    }

    @Test
    void refusesBytesThatAreNotUtf8InsteadOfReadingThemAsReplacementCharacters() {
        // given a row whose station is the bytes FF FE, after a good row
        byte[] head = "origin,time_hour\nEWR,2013-01-01T06:00:00Z\n".getBytes(StandardCharsets.UTF_8);
        byte[] bad = {(byte) 0xFF, (byte) 0xFE};
        byte[] tail = ",2013-01-01T07:00:00Z\n".getBytes(StandardCharsets.UTF_8);
        byte[] csv = new byte[head.length + bad.length + tail.length];
        System.arraycopy(head, 0, csv, 0, head.length);
        System.arraycopy(bad, 0, csv, head.length, bad.length);
        System.arraycopy(tail, 0, csv, head.length + bad.length, tail.length);
        CollectingSink sink = new CollectingSink();

        // when / then
        assertThatThrownBy(() -> new CsvReader(new ByteArrayInputStream(csv), WEATHER).read(sink))
                .isInstanceOfSatisfying(
                        MalformedLogException.class, e -> assertThat(e.line()).isEqualTo(3))
                .hasMessageContaining("not UTF-8");
        assertThat(sink.events()).hasSize(1);
    }

    @Test
    void namesTheLineOfBytesThatAreNotUtf8FarIntoTheFile() {
        // given 100,000 good rows, two of them with a two-byte character, then the byte FF on line 100,002
        StringBuilder text = new StringBuilder("origin,time_hour\n");
        for (int i = 0; i < 100_000; i++) {
            text.append(i % 50_000 == 7 ? "ZÜR" : "EWR").append(",2013-01-01T06:00:00Z\n");
        }
        byte[] good = text.toString().getBytes(StandardCharsets.UTF_8);
        byte[] csv = new byte[good.length + 1];
        System.arraycopy(good, 0, csv, 0, good.length);
        csv[good.length] = (byte) 0xFF;
        CollectingSink sink = new CollectingSink();

        // when / then: every row before it was read, and the fault is on its own line
        assertThatThrownBy(() -> new CsvReader(new ByteArrayInputStream(csv), WEATHER).read(sink))
                .isInstanceOfSatisfying(
                        MalformedLogException.class, e -> assertThat(e.line()).isEqualTo(100_002));
        assertThat(sink.events()).hasSize(100_000);
    }

    @Test
    void refusesAHeaderThatNamesAColumnTwice() {
        // given
        String csv = "origin,temp,origin,time_hour\nEWR,1,JFK,2013-01-01T06:00:00Z\n";

        // when / then
        assertThatThrownBy(() -> read(csv, WEATHER))
                .isInstanceOfSatisfying(
                        MalformedLogException.class, e -> assertThat(e.line()).isEqualTo(1))
                .hasMessageContaining("the column 'origin' twice")
                .hasMessageNotContaining("CSVFormat");
    }

    @Test
    void readsTheWeatherReadingsAsThreeStationsInFileOrder() throws Exception {
        // given the weather readings of three airports
        Map<String, Integer> rowsPerStation = new HashMap<>();
        long[] counts = new long[3];
        boolean[] inOrder = {true};
        Map<String, Integer> lastPosition = new HashMap<>();

        // when
        try (LogSource source = LogSource.open(Datasets.weather())) {
            new CsvReader(source.stream(), WEATHER).read(entry -> {
                counts[0]++;
                if (entry instanceof CaseEvent event) {
                    rowsPerStation.merge(event.caseId(), 1, Integer::sum);
                    inOrder[0] &= event.position() == lastPosition.getOrDefault(event.caseId(), 0) + 1;
                    lastPosition.put(event.caseId(), event.position());
                    counts[1] += event.attributes().containsKey("wind_gust") ? 0 : 1;
                    counts[2] += event.attributes().containsValue("NA") ? 1 : 0;
                }
            });
        }

        // then
        assertThat(counts[0]).isEqualTo(26_115);
        assertThat(rowsPerStation).containsOnlyKeys("EWR", "JFK", "LGA");
        assertThat(rowsPerStation.values().stream().mapToInt(Integer::intValue).sum())
                .isEqualTo(26_115);
        assertThat(inOrder[0]).isTrue();
        assertThat(counts[1]).as("rows whose NA wind_gust was left out").isPositive();
        assertThat(counts[2]).as("attributes holding NA").isZero();
    }

    @Test
    void reportsARowWithABlankCaseIdAsUnusableLikeAnEmptyOne() throws Exception {
        // given a row whose case id is blanks inside quotes
        String csv = """
                origin,time_hour
                "   ",2013-01-01T06:00:00Z
                EWR,2013-01-01T07:00:00Z
                """;

        // when
        CollectingSink sink = read(csv, WEATHER);

        // then
        assertThat(sink.unusable())
                .extracting(UnusableEvent::caseId, UnusableEvent::problem, UnusableEvent::line)
                .containsExactly(tuple(null, UnusableEvent.MISSING_CASE_ID, 2L));
        assertThat(sink.events()).extracting(CaseEvent::caseId).containsExactly("EWR");
    }

    @Test
    void namesTheLineAndColumnOfALatin1CharacterInTheMiddleOfALine() {
        // given a Latin-1 file: the O with diaeresis of line 2 is the single byte D6, the 3rd character of its line
        byte[] csv = "origin,time_hour\nKÖLN,2013-01-01T06:00:00Z\nEWR,2013-01-01T07:00:00Z\n"
                .getBytes(StandardCharsets.ISO_8859_1);
        CollectingSink sink = new CollectingSink();

        // when / then
        assertThatThrownBy(() -> new CsvReader(new ByteArrayInputStream(csv), WEATHER).read(sink))
                .isInstanceOfSatisfying(MalformedLogException.class, e -> {
                    assertThat(e.line()).isEqualTo(2);
                    assertThat(e.column()).isEqualTo(2);
                    assertThat(e.describe()).startsWith("line 2, column 2: the file is not UTF-8");
                });
        assertThat(sink.entries()).isEmpty();
    }

    @Test
    void countsColumnsInCharactersAndLinesAfterCarriageReturnsToo() {
        // given lines ended by CR LF, a two-byte and a four-byte character before the bad byte FF on line 3
        byte[] good = "origin,time_hour\r\nEWR,2013-01-01T06:00:00Z\r\n\"Zü😀".getBytes(StandardCharsets.UTF_8);
        byte[] csv = java.util.Arrays.copyOf(good, good.length + 1);
        csv[good.length] = (byte) 0xFF;

        // when / then: the quote, Z, u with diaeresis and the emoji are four characters, so the byte is the fifth
        assertThatThrownBy(() -> new CsvReader(new ByteArrayInputStream(csv), WEATHER).read(new CollectingSink()))
                .isInstanceOfSatisfying(MalformedLogException.class, e -> {
                    assertThat(e.line()).isEqualTo(3);
                    assertThat(e.column()).isEqualTo(5);
                });
    }
}
