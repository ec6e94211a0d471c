package io.polyglot.projection.readmodel;

import static org.assertj.core.api.Assertions.assertThat;

import io.polyglot.projection.TestDatabase;
import io.polyglot.projection.reallogs.LogEvent;
import io.polyglot.projection.reallogs.LogFeed;
import io.polyglot.projection.reallogs.RealLogViews;
import io.polyglot.projection.reallogs.RealLogs;
import io.polyglot.projection.reallogs.ReferenceFold;
import io.polyglot.projection.reallogs.Tolerances;
import io.polyglot.projection.reallogs.ViewRows.Stage;
import io.polyglot.projection.reallogs.ViewRows.WeatherDay;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The read models of the real logs, projected by the real folder and store into a real PostgreSQL from the logs laid
 * out in six partitions the way {@code events.all} holds them, against a reference fold the test computes itself from
 * the same files.
 */
class RealLogViewsTest {

    private static final Logger log = LoggerFactory.getLogger(RealLogViewsTest.class);
    private static final int PARTITIONS = 6;
    private static final List<Integer> FORWARD =
            IntStream.range(0, PARTITIONS).boxed().toList();
    private static final List<Integer> BACKWARD =
            FORWARD.stream().sorted(Comparator.reverseOrder()).toList();

    @TempDir
    static Path dataDir;

    private static TestDatabase database;
    private static RealLogViews views;
    private static List<LogEvent> bpi2012;
    private static List<LogEvent> helpdesk;
    private static List<LogEvent> weather;

    private PostgresReadModelStore store;

    @BeforeAll
    static void startTheDatabaseAndReadTheLogs() {
        database = TestDatabase.start(dataDir.resolve("postgres"));
        views = new RealLogViews(database.dataSource());
        bpi2012 = RealLogs.bpi2012();
        helpdesk = RealLogs.helpdesk();
        weather = RealLogs.weather();
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
        store = new PostgresReadModelStore(database.dataSource(), "group-" + UUID.randomUUID());
    }

    @Test
    void theLoanViewsOfTheWholeBpi2012LogEqualTheReferenceFold() throws SQLException {
        // given the whole BPI 2012 log in six partitions
        assertThat(bpi2012).hasSize(262_200);
        LogFeed feed = LogFeed.of(bpi2012, PARTITIONS);

        // when it is projected in polls of up to 1,000 events per partition
        Instant start = Instant.now();
        feed.applyInterleaved(store, FORWARD, 1_000);
        log.info("Projected the 262,200 events of BPI 2012 in {}", Duration.between(start, Instant.now()));

        // then
        assertThat(views.loanOffers()).isEqualTo(ReferenceFold.loanOffers(bpi2012));
        assertThat(views.loanWorkItems()).isEqualTo(ReferenceFold.loanWorkItems(bpi2012));
        assertSameFunnel(views.loanFunnel(), ReferenceFold.loanFunnel(bpi2012));
        assertThat(views.count("select count(*) from loan_offers")).isEqualTo(7_030);
        assertThat(views.count("select count(*) from loan_work_items")).isEqualTo(71_376);
        assertThat(views.count("select applications from loan_funnel where stage = 'A_SUBMITTED'"))
                .isEqualTo(13_087);
        assertThat(views.count("select count(*) from loan_funnel")).isEqualTo(10);
    }

    @Test
    void helpdeskActivityDurationsOfTheWholeLogEqualTheReferenceFold() throws SQLException {
        // given
        LogFeed feed = LogFeed.of(helpdesk, PARTITIONS);

        // when
        feed.applyInterleaved(store, FORWARD, 700);

        // then
        assertThat(views.helpdeskActivityDurations())
                .usingRecursiveFieldByFieldElementComparator(Tolerances.MEDIANS)
                .containsExactlyElementsOf(ReferenceFold.helpdeskActivityDurations(helpdesk));
        assertThat(views.count("select sum(events) from helpdesk_activity_durations"))
                .isEqualTo(21_348);
        assertThat(views.count("select count(distinct ticket_id) from projection.helpdesk_ticket_event"))
                .isEqualTo(4_580);
    }

    @Test
    void weatherDailyOfTheWholeLogEqualsTheReferenceFold() throws SQLException {
        // given
        LogFeed feed = LogFeed.of(weather, PARTITIONS);

        // when
        feed.applyInterleaved(store, FORWARD, 700);

        // then
        assertSameWeather(views.weatherDaily(), ReferenceFold.weatherDaily(weather));
        assertThat(views.count("select sum(readings) from weather_daily")).isEqualTo(26_115);
        assertThat(views.count("select count(*) from weather_daily")).isEqualTo(1_092);
        assertThat(views.count("select count(distinct station) from weather_daily"))
                .isEqualTo(3);
    }

    @Test
    void applyingThePartitionsInOppositeOrdersGivesTheSameViews() throws SQLException {
        // given the helpdesk and weather logs and a seeded slice of 2,000 BPI 2012 cases, in six partitions
        List<LogEvent> mixed = new ArrayList<>(RealLogs.slice(bpi2012, 2_000, 20_121));
        mixed.addAll(helpdesk);
        mixed.addAll(weather);
        LogFeed feed = LogFeed.of(mixed, PARTITIONS);

        // when the partitions are applied one after the other, first forwards, then backwards with other polls
        feed.applyPartitionByPartition(store, FORWARD, 2_000);
        RealLogViews.Snapshot forwards = views.snapshot();
        database.empty();
        feed.applyPartitionByPartition(store, BACKWARD, 333);
        RealLogViews.Snapshot backwards = views.snapshot();

        // then
        assertThat(backwards).isEqualTo(forwards);
        assertThat(forwards.loanOffers())
                .isEqualTo(ReferenceFold.loanOffers(mixed))
                .isNotEmpty();
        assertThat(forwards.loanWorkItems()).isEqualTo(ReferenceFold.loanWorkItems(mixed));
        assertSameFunnel(forwards.loanFunnel(), ReferenceFold.loanFunnel(mixed));
    }

    @Test
    void replayingAnAppliedBatchChangesNothing() throws SQLException {
        // given two polls of one partition applied, over a mix of every real log
        List<LogEvent> mixed = new ArrayList<>(RealLogs.slice(bpi2012, 300, 7));
        mixed.addAll(RealLogs.slice(helpdesk, 300, 7));
        mixed.addAll(weather);
        LogFeed feed = LogFeed.of(mixed, PARTITIONS);
        int partition = feed.largestPartition();
        int poll = feed.size(partition) / 3;
        store.apply(feed.poll(partition, 0, poll, OptionalLong.empty()));
        store.apply(feed.poll(partition, poll, poll, OptionalLong.of(poll)));
        RealLogViews.Snapshot applied = views.snapshot();

        // when the second poll's changes come again, with an offset advance that is not fenced
        store.apply(feed.poll(partition, poll, poll, OptionalLong.of(2L * poll)));

        // then
        assertThat(views.snapshot()).isEqualTo(applied);
        assertThat(applied.loanWorkItems()).isNotEmpty();
        assertThat(applied.helpdeskActivityDurations()).isNotEmpty();
        assertThat(applied.weatherDaily()).isNotEmpty();
    }

    private static void assertSameFunnel(List<Stage> actual, List<Stage> expected) {
        assertThat(actual)
                .usingRecursiveFieldByFieldElementComparator(Tolerances.MEDIANS)
                .containsExactlyElementsOf(expected);
    }

    private static void assertSameWeather(List<WeatherDay> actual, List<WeatherDay> expected) {
        assertThat(actual)
                .usingRecursiveFieldByFieldElementComparator(Tolerances.MEANS)
                .containsExactlyElementsOf(expected);
    }
}
