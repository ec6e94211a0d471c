package io.polyglot.importer.log;

import static org.assertj.core.api.Assertions.assertThat;

import io.polyglot.importer.testing.Datasets;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The XES reader on the real logs in {@code shared/datasets}, checked against their published counts. The sinks only
 * count: holding no event is what shows the reader streams instead of collecting.
 */
class XesReaderOnRealLogsTest {

    /** Counts what a log holds without keeping its events. */
    private static final class Census implements EventSink {
        long events;
        long unusable;
        long withoutResource;
        final Set<String> cases = new HashSet<>();
        final Set<String> activities = new HashSet<>();
        final Set<String> resources = new HashSet<>();
        BigDecimal amountRequested = BigDecimal.ZERO;
        long casesWithAmount;
        OffsetDateTime first;
        OffsetDateTime last;
        boolean positionsInOrder = true;
        String previousCase;
        int previousPosition;

        @Override
        public void accept(LogEntry entry) {
            if (!(entry instanceof CaseEvent event)) {
                unusable++;
                return;
            }
            events++;
            cases.add(event.caseId());
            activities.add(event.activity());
            if (event.resource() == null) {
                withoutResource++;
            } else {
                resources.add(event.resource());
            }
            String amount = event.attributes().get("AMOUNT_REQ");
            if (amount != null) {
                amountRequested = amountRequested.add(new BigDecimal(amount));
                casesWithAmount++;
            }
            OffsetDateTime time = OffsetDateTime.parse(event.occurredAt());
            first = first == null || time.isBefore(first) ? time : first;
            last = last == null || time.isAfter(last) ? time : last;
            int expected = event.caseId().equals(previousCase) ? previousPosition + 1 : 1;
            positionsInOrder &= event.position() == expected;
            previousCase = event.caseId();
            previousPosition = event.position();
        }
    }

    private static Census census(Path file) throws Exception {
        Census census = new Census();
        try (LogSource source = LogSource.open(file)) {
            new XesReader(source.stream()).read(census);
            assertThat(source.bytesRead()).isEqualTo(source.totalBytes());
        }
        return census;
    }

    @Test
    void readsEveryCaseAndEventOfTheHelpdeskLog() throws Exception {
        // given the helpdesk log of 4,580 tickets

        // when
        Census census = census(Datasets.helpdesk());

        // then
        assertThat(census.cases).hasSize(4_580);
        assertThat(census.events).isEqualTo(21_348);
        assertThat(census.unusable).isZero();
        assertThat(census.positionsInOrder).isTrue();
    }

    @Test
    void readsTheBpiChallenge2012LogWithItsPublishedCounts() throws Exception {
        // given the BPI Challenge 2012 log: 74 MB of XML, 12,700 lines of metadata before the first trace

        // when
        Census census = census(Datasets.bpic2012());

        // then
        assertThat(census.cases).hasSize(13_087);
        assertThat(census.events).isEqualTo(262_200);
        assertThat(census.unusable).isZero();
        assertThat(census.activities).hasSize(24);
        assertThat(census.resources).hasSize(68);
        assertThat(census.withoutResource).isEqualTo(18_010);
        assertThat(census.casesWithAmount).isEqualTo(13_087);
        assertThat(census.amountRequested).isEqualByComparingTo("177634511");
        assertThat(census.first.withOffsetSameInstant(ZoneOffset.UTC).toLocalDate())
                .hasToString("2011-09-30");
        assertThat(census.first.toLocalDate()).hasToString("2011-10-01");
        assertThat(census.last.toLocalDate()).hasToString("2012-03-14");
        assertThat(census.positionsInOrder).isTrue();
    }
}
