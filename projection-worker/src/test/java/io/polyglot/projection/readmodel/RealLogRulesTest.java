package io.polyglot.projection.readmodel;

import static org.assertj.core.api.Assertions.assertThat;

import io.polyglot.projection.TestDatabase;
import io.polyglot.projection.domain.BatchFolder;
import io.polyglot.projection.domain.PartitionAdvance;
import io.polyglot.projection.domain.ProjectedEvent;
import io.polyglot.projection.reallogs.RealLogViews;
import io.polyglot.projection.reallogs.RealLogs;
import io.polyglot.projection.reallogs.ViewRows.ActivityDuration;
import io.polyglot.projection.reallogs.ViewRows.Offer;
import io.polyglot.projection.reallogs.ViewRows.Stage;
import io.polyglot.projection.reallogs.ViewRows.WeatherDay;
import io.polyglot.projection.reallogs.ViewRows.WorkItem;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The edge rules of the read models of the real logs, on hand-made sequences, each applied twice into a real
 * PostgreSQL: one event per batch, so that everything a later event needs must come from the tables, and all events
 * in one batch. Both must give the rows the rule says.
 */
class RealLogRulesTest {

    private static final Instant NINE = Instant.parse("2011-10-01T09:00:00Z");

    @TempDir
    static Path dataDir;

    private static TestDatabase database;
    private static RealLogViews views;

    private final List<ProjectedEvent> events = new ArrayList<>();
    private final Map<Integer, Long> offsets = new HashMap<>();

    @BeforeAll
    static void startTheDatabase() {
        database = TestDatabase.start(dataDir.resolve("postgres"));
        views = new RealLogViews(database.dataSource());
    }

    @AfterAll
    static void stopTheDatabase() {
        if (database != null) {
            database.close();
        }
    }

    @BeforeEach
    void startFromAnEmptyReadModel() throws SQLException {
        database.empty();
    }

    @Test
    void anOfferSelectedBeforeItIsCreatedBelongsToTheOfferCreatedNext() throws SQLException {
        // given an offer event before any offer, then two offers, each selected before it is created
        loan("Application_1", "O_CANCELLED", "COMPLETE", 0);
        loan("Application_1", "O_SELECTED", "COMPLETE", 1);
        loan("Application_1", "O_CREATED", "COMPLETE", 2);
        loan("Application_1", "O_SENT", "COMPLETE", 3);
        loan("Application_1", "O_SELECTED", "COMPLETE", 4);
        loan("Application_1", "O_CREATED", "COMPLETE", 5);
        loan("Application_1", "O_SENT", "COMPLETE", 6);
        loan("Application_1", "O_ACCEPTED", "COMPLETE", 7);
        loan("Application_1", "O_CANCELLED", "COMPLETE", 8);

        // when
        List<List<Offer>> results = bothWays(views::loanOffers);

        // then the first offer keeps its status: the second O_SELECTED is the second offer's
        assertThat(results)
                .containsOnly(List.of(
                        new Offer("Application_1", 1, "O_SENT", minutes(2), null),
                        new Offer("Application_1", 2, "O_CANCELLED", minutes(5), minutes(7))));
    }

    @Test
    void aCompleteWithoutStartIsIgnoredAndOfTwoStartsTheFirstStaysOpen() throws SQLException {
        // given
        loan("Application_1", "W_Completeren aanvraag", "COMPLETE", 0);
        loan("Application_1", "W_Completeren aanvraag", "SCHEDULE", 1);
        loan("Application_1", "W_Completeren aanvraag", "START", 2);
        loan("Application_1", "W_Nabellen offertes", "START", 3);
        loan("Application_1", "W_Completeren aanvraag", "START", 4);
        loan("Application_1", "W_Completeren aanvraag", "COMPLETE", 5);
        loan("Application_1", "W_Completeren aanvraag", "COMPLETE", 6);
        loan("Application_1", "W_Completeren aanvraag", "SCHEDULE", 7);
        loan("Application_1", "W_Completeren aanvraag", "START", 9);
        loan("Application_1", "W_Nabellen offertes", "COMPLETE", 10);
        loan("Application_1", "A_SUBMITTED", "COMPLETE", 11);

        // when
        List<List<WorkItem>> results = bothWays(views::loanWorkItems);

        // then
        assertThat(results)
                .containsOnly(List.of(
                        new WorkItem("Application_1", "W_Completeren aanvraag", minutes(1), minutes(2), null, null),
                        new WorkItem(
                                "Application_1",
                                "W_Completeren aanvraag",
                                minutes(1),
                                minutes(4),
                                minutes(5),
                                seconds(60)),
                        new WorkItem("Application_1", "W_Completeren aanvraag", minutes(7), minutes(9), null, null),
                        new WorkItem(
                                "Application_1", "W_Nabellen offertes", null, minutes(3), minutes(10), seconds(420))));
    }

    @Test
    void aTicketsLastEventCountsInEventsButNotInTheMedian() throws SQLException {
        // given two tickets, interleaved
        ticket("Case 1", "Insert ticket", 0);
        ticket("Case 2", "Insert ticket", 0);
        ticket("Case 1", "Resolve ticket", 1);
        ticket("Case 2", "Closed", 2);
        ticket("Case 1", "Closed", 4);

        // when
        List<List<ActivityDuration>> results = bothWays(views::helpdeskActivityDurations);

        // then Insert ticket waits 60 and 120 s, Resolve ticket 180 s; Closed ends both tickets
        assertThat(results)
                .containsOnly(List.of(
                        new ActivityDuration("Closed", 2, null),
                        new ActivityDuration("Insert ticket", 2, 90.0),
                        new ActivityDuration("Resolve ticket", 1, 180.0)));
    }

    @Test
    void aStageReachedBeforeAnySubmissionIsCountedButLeftOutOfTheMedian() throws SQLException {
        // given an application submitted and pre-accepted, and one pre-accepted whose submission is not there
        loan("Application_1", "A_SUBMITTED", "COMPLETE", 0);
        loan("Application_2", "A_PREACCEPTED", "COMPLETE", 1);
        loan("Application_1", "A_PARTLYSUBMITTED", "COMPLETE", 0);
        loan("Application_1", "A_PREACCEPTED", "COMPLETE", 30);
        loan("Application_1", "A_PREACCEPTED", "COMPLETE", 90);
        loan("Application_1", "A_UNHEARD_OF", "COMPLETE", 120);

        // when
        List<List<Stage>> results = bothWays(views::loanFunnel);

        // then stages come in process order, an unknown one last; only the first occurrence counts
        assertThat(results)
                .containsOnly(List.of(
                        new Stage("A_SUBMITTED", 1, 0.0),
                        new Stage("A_PARTLYSUBMITTED", 1, 0.0),
                        new Stage("A_PREACCEPTED", 2, 0.5),
                        new Stage("A_UNHEARD_OF", 1, 2.0)));
    }

    @Test
    void missingAndNaValuesAreLeftOutOfEveryWeatherAggregateButReadings() throws SQLException {
        // given readings of 2013-01-01 local time, the last of them on 2 January in UTC
        reading("EWR", "2013-01-01T06:00:00Z", "1", Map.of("temp", "39.02", "precip", "NA"));
        reading("EWR", "2013-01-01T07:00:00Z", "1", Map.of("temp", "NA", "precip", "0.5"));
        reading("EWR", "2013-01-01T08:00:00Z", "1", Map.of());
        reading("EWR", "2013-01-02T04:00:00Z", "1", Map.of("temp", "30.2", "precip", "0"));
        reading("EWR", "2013-01-02T06:00:00Z", "2", Map.of("temp", "NA", "precip", "NA"));

        // when
        List<List<WeatherDay>> results = bothWays(views::weatherDaily);

        // then
        assertThat(results)
                .containsOnly(List.of(
                        new WeatherDay(
                                "EWR",
                                LocalDate.of(2013, 1, 1),
                                4,
                                new BigDecimal("30.2"),
                                new BigDecimal("39.02"),
                                new BigDecimal("34.61"),
                                new BigDecimal("0.5")),
                        new WeatherDay("EWR", LocalDate.of(2013, 1, 2), 1, null, null, null, null)));
    }

    @Test
    void aReadingWithoutADateTheViewCanHoldIsLeftOutAndOtherScriptsDigitsAreNoNumber() throws SQLException {
        // given years PostgreSQL's date refuses or reads otherwise, digits of other scripts, days no month has, and
        // one reading of a real day whose temperature is written in Arabic-Indic digits
        for (String year : List.of("0", "-5", "+2013", "99999", "١٢", "2013.0", "")) {
            reading("JFK", "2013-01-01T06:00:00Z", year, "1", "1", Map.of("temp", "1"));
        }
        reading("JFK", "2013-01-01T07:00:00Z", "2013", "2", "30", Map.of("temp", "1"));
        reading("JFK", "2013-01-01T08:00:00Z", "2013", "0", "1", Map.of("temp", "1"));
        reading("JFK", "2013-01-01T09:00:00Z", "2013", "١", "1", Map.of("temp", "1"));
        reading("JFK", "2013-01-01T10:00:00Z", " 2013 ", "1", "1", Map.of("temp", "٣٠", "precip", "0.5"));

        // when: every reading goes through PostgreSQL, which fails the batch on a date it cannot store
        List<List<WeatherDay>> results = bothWays(views::weatherDaily);

        // then
        assertThat(results)
                .containsOnly(List.of(
                        new WeatherDay("JFK", LocalDate.of(2013, 1, 1), 1, null, null, null, new BigDecimal("0.5"))));
    }

    /** Applies the events one per batch, then, from an empty read model, all in one batch; answers both results. */
    @Test
    void theWorkItemStateIsTheSameWhicheverWayTheEventsAreBatched() throws SQLException {
        // given the sequences of the rule above for two applications, and a third whose work item starts and
        // completes, so that one batch sees nothing left open where two batches see a START open in between
        loan("Application_3", "W_Valideren aanvraag", "START", 0);
        loan("Application_3", "W_Valideren aanvraag", "COMPLETE", 1);
        for (String application : List.of("Application_1", "Application_2")) {
            loan(application, "W_Completeren aanvraag", "COMPLETE", 0);
            loan(application, "W_Completeren aanvraag", "SCHEDULE", 1);
            loan(application, "W_Completeren aanvraag", "START", 2);
            loan(application, "W_Nabellen offertes", "START", 3);
            loan(application, "W_Completeren aanvraag", "START", 4);
            loan(application, "W_Completeren aanvraag", "COMPLETE", 5);
            loan(application, "W_Completeren aanvraag", "COMPLETE", 6);
            loan(application, "W_Completeren aanvraag", "SCHEDULE", 7);
            loan(application, "W_Nabellen offertes", "SCHEDULE", 8);
            loan(application, "W_Completeren aanvraag", "START", 9);
            loan(application, "W_Nabellen offertes", "COMPLETE", 10);
            loan(application, "W_Nabellen offertes", "COMPLETE", 11);
        }

        // when
        List<List<String>> results = bothWays(() -> tableRows("loan_work_item_state"));

        // then every column of the state, its bookkeeping included, is the same one event at a time and all at once
        assertThat(results.get(0)).hasSize(5).isEqualTo(results.get(1));
    }

    private List<String> tableRows(String table) throws SQLException {
        try (var connection = database.dataSource().getConnection();
                var statement = connection.createStatement();
                var rows = statement.executeQuery("SELECT t::text FROM projection." + table + " t ORDER BY 1")) {
            List<String> all = new ArrayList<>();
            while (rows.next()) {
                all.add(rows.getString(1));
            }
            return all;
        }
    }

    private <T> List<T> bothWays(ViewRead<T> read) throws SQLException {
        PostgresReadModelStore store = new PostgresReadModelStore(database.dataSource(), "group-" + UUID.randomUUID());
        BatchFolder folder = new BatchFolder();
        Map<Integer, Long> stored = new HashMap<>();
        for (ProjectedEvent event : events) {
            Long expected = stored.put(event.partition(), event.offset() + 1);
            PartitionAdvance advance = new PartitionAdvance(
                    event.partition(),
                    expected == null ? OptionalLong.empty() : OptionalLong.of(expected),
                    event.offset() + 1);
            store.apply(
                    folder.fold("events.all", List.of(event), List.of(advance)).batch());
        }
        T oneByOne = read.read();

        database.empty();
        store = new PostgresReadModelStore(database.dataSource(), "group-" + UUID.randomUUID());
        List<PartitionAdvance> advances = offsets.entrySet().stream()
                .map(entry -> new PartitionAdvance(entry.getKey(), OptionalLong.empty(), entry.getValue()))
                .toList();
        store.apply(folder.fold("events.all", events, advances).batch());
        return List.of(oneByOne, read.read());
    }

    private void loan(String id, String activity, String lifecycle, int minute) {
        add(RealLogs.LOAN_APPLICATION, id, activity, lifecycle, minutes(minute), Map.of());
    }

    private void ticket(String id, String activity, int minute) {
        add(RealLogs.HELPDESK_TICKET, id, activity, null, minutes(minute), Map.of());
    }

    private void reading(String station, String at, String localDay, Map<String, String> values) {
        reading(station, at, "2013", "1", localDay, values);
    }

    private void reading(String station, String at, String year, String month, String day, Map<String, String> values) {
        Map<String, String> attributes = new HashMap<>(values);
        attributes.put("year", year);
        attributes.put("month", month);
        attributes.put("day", day);
        add(RealLogs.WEATHER_STATION, station, "WeatherObserved", null, Instant.parse(at), attributes);
    }

    /** Every aggregate in its own partition, so that one batch spans several. */
    private void add(
            String type, String id, String activity, String lifecycle, Instant at, Map<String, String> attributes) {
        int partition = Math.floorMod(id.hashCode(), 3);
        long offset = offsets.merge(partition, 1L, Long::sum) - 1;
        events.add(new ProjectedEvent(partition, offset, type, id, 0, activity, lifecycle, at, attributes));
    }

    private static BigDecimal seconds(long seconds) {
        return BigDecimal.valueOf(seconds).stripTrailingZeros();
    }

    private static Instant minutes(int minutes) {
        return NINE.plusSeconds(60L * minutes);
    }

    private interface ViewRead<T> {
        T read() throws SQLException;
    }
}
