package io.polyglot.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LoanViewReferenceTest {

    @TempDir
    Path folder;

    @Test
    void numbersOffersByPositionAndGivesEachOfferEventToTheLatestCreatedOne() throws IOException {
        // given: an offer event before any offer, two offers, O_SELECTED between them, a decision then a later event
        LogReference log = log(trace(
                "A-1",
                event("O_SENT", "COMPLETE", "2011-10-01T10:00:00Z"),
                event("O_CREATED", "COMPLETE", "2011-10-01T11:00:00Z"),
                event("O_DECLINED", "COMPLETE", "2011-10-01T12:00:00Z"),
                event("O_SENT_BACK", "COMPLETE", "2011-10-01T12:30:00Z"),
                event("O_SELECTED", "COMPLETE", "2011-10-01T13:00:00Z"),
                event("O_CREATED", "COMPLETE", "2011-10-01T14:00:00.5+02:00")));

        // when
        List<List<String>> offers = LoanViewReference.offers(log);

        // then
        assertThat(offers)
                .containsExactly(
                        Arrays.asList("A-1", "1", "O_SENT_BACK", "2011-10-01T11:00:00Z", "2011-10-01T12:00:00Z"),
                        Arrays.asList("A-1", "2", "O_CREATED", "2011-10-01T12:00:00.500Z", null));
    }

    @Test
    void makesOneWorkItemRowPerStartClosedByTheNextCompleteBeforeTheNextStart() throws IOException {
        // given: a COMPLETE with nothing open, a SCHEDULE, two STARTs in a row, a COMPLETE (lifecycle in any case)
        LogReference log = log(trace(
                "A-2",
                event("W_Call", "COMPLETE", "2011-10-01T09:00:00Z"),
                event("W_Call", "SCHEDULE", "2011-10-01T10:00:00Z"),
                event("W_Call", "START", "2011-10-01T10:05:00Z"),
                event("W_Call", "start", "2011-10-01T10:10:00Z"),
                event("W_Call", "COMPLETE", "2011-10-01T10:10:01.25Z"),
                event("W_Other", "START", "2011-10-01T11:00:00Z"),
                event("A_SUBMITTED", "COMPLETE", "2011-10-01T11:00:00Z")));

        // when
        List<List<String>> items = LoanViewReference.workItems(log);

        // then: the first START stays open for good; both take the one SCHEDULE before them
        assertThat(items)
                .containsExactly(
                        Arrays.asList("A-2", "W_Call", "2011-10-01T10:00:00Z", "2011-10-01T10:05:00Z", null, null),
                        Arrays.asList(
                                "A-2",
                                "W_Call",
                                "2011-10-01T10:00:00Z",
                                "2011-10-01T10:10:00Z",
                                "2011-10-01T10:10:01.250Z",
                                "1.25"),
                        Arrays.asList("A-2", "W_Other", null, "2011-10-01T11:00:00Z", null, null));
    }

    @Test
    void countsStagesByTheirFirstOccurrenceAndTakesTheMedianHoursFromSubmission() throws IOException {
        // given: two applications submitted, one of them accepted twice, and one never submitted
        LogReference log = log(
                trace(
                        "A-3",
                        event("A_SUBMITTED", "COMPLETE", "2011-10-01T00:00:00Z"),
                        event("A_ACCEPTED", "COMPLETE", "2011-10-01T01:00:00Z"),
                        event("A_ACCEPTED", "COMPLETE", "2011-10-01T09:00:00Z")),
                trace(
                        "A-4",
                        event("A_SUBMITTED", "COMPLETE", "2011-10-02T00:00:00Z"),
                        event("A_ACCEPTED", "COMPLETE", "2011-10-02T04:00:00Z")),
                trace("A-5", event("A_ACCEPTED", "COMPLETE", "2011-10-03T00:00:00Z")));

        // when
        List<List<String>> funnel = LoanViewReference.funnel(log);

        // then: the median of 1 h and 4 h, A-5 counted but without hours
        assertThat(funnel).containsExactly(List.of("A_ACCEPTED", "3", "2.5"), List.of("A_SUBMITTED", "2", "0.0"));
    }

    @Test
    void keysRowsThatShareTheirKeyByOrdinalInTheOrderOfTheirValues() {
        // given
        List<List<String>> rows = List.of(
                Arrays.asList("A", "W", "t2", null),
                Arrays.asList("A", "W", "t1", "x"),
                Arrays.asList("B", "W", "t", "y"));

        // when
        Map<String, String> keyed = ViewComparison.keyed(rows, 2);

        // then
        assertThat(keyed)
                .containsExactly(Map.entry("A|W", "t1|x"), Map.entry("A|W #2", "t2|null"), Map.entry("B|W", "t|y"));
    }

    private static String event(String activity, String lifecycle, String time) {
        return "<event><string key=\"concept:name\" value=\"" + activity + "\"/>"
                + "<string key=\"lifecycle:transition\" value=\"" + lifecycle + "\"/>"
                + "<date key=\"time:timestamp\" value=\"" + time + "\"/></event>\n";
    }

    private static String trace(String caseId, String... events) {
        return "<trace>\n<string key=\"concept:name\" value=\"" + caseId + "\"/>\n" + String.join("", events)
                + "</trace>\n";
    }

    private LogReference log(String... traces) throws IOException {
        Path file = folder.resolve("log.xes.gz");
        String xml = "<?xml version=\"1.0\" encoding=\"UTF-8\" ?>\n<log xmlns=\"http://www.xes-standard.org/\">\n"
                + String.join("", traces) + "</log>\n";
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
            out.write(xml.getBytes(StandardCharsets.UTF_8));
        }
        return LogReference.read("LoanApplication", file);
    }
}
