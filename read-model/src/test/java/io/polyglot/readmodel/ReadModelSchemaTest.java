package io.polyglot.readmodel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.polyglot.readmodel.jooq.projection.tables.LoanApplication;
import io.polyglot.readmodel.jooq.public_.tables.LoanApplications;
import io.polyglot.readmodel.jooq.public_.tables.records.LoanApplicationsRecord;
import io.polyglot.testservers.TestPostgres;
import io.polyglot.testservers.TestServers;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.assertj.core.groups.Tuple;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.postgresql.ds.PGSimpleDataSource;

class ReadModelSchemaTest {

    @TempDir
    static Path dataDir;

    private static TestPostgres postgres;
    private static PGSimpleDataSource dataSource;
    private static ReadModelMigrations.Migrated firstRun;

    @BeforeAll
    static void startAndMigrateADatabase() {
        postgres = TestServers.postgres(dataDir.resolve("postgres"));
        dataSource = new PGSimpleDataSource();
        dataSource.setUrl(postgres.jdbcUrl());
        dataSource.setUser(postgres.user());
        dataSource.setPassword(postgres.password());
        firstRun = ReadModelMigrations.migrate(dataSource);
    }

    @AfterAll
    static void stopTheDatabase() {
        if (postgres != null) {
            postgres.close();
        }
    }

    @Test
    void migratesAnEmptyDatabaseToTheLatestVersion() {
        assertThat(firstRun.migrationsApplied()).isPositive();
        assertThat(firstRun.schemaVersion()).isEqualTo("3");
    }

    @Test
    void leavesACurrentDatabaseAsItIs() {
        // given a database the test class already migrated

        // when
        ReadModelMigrations.Migrated again = ReadModelMigrations.migrate(dataSource);

        // then
        assertThat(again.migrationsApplied()).isZero();
        assertThat(again.schemaVersion()).isEqualTo(firstRun.schemaVersion());
    }

    @Test
    void offersLoanApplicationsAsAViewWithItsDocumentedColumns() throws SQLException {
        assertThat(relationType("loan_applications")).isEqualTo("VIEW");
        assertThat(columns("loan_applications"))
                .containsExactly(
                        tuple("application_id", "text"),
                        tuple("status", "text"),
                        tuple("amount_requested", "numeric"),
                        tuple("submitted_at", "timestamp with time zone"),
                        tuple("last_event_at", "timestamp with time zone"),
                        tuple("event_count", "bigint"));
    }

    @Test
    void offersLoanActivityCountsAsAViewWithItsDocumentedColumns() throws SQLException {
        assertThat(relationType("loan_activity_counts")).isEqualTo("VIEW");
        assertThat(columns("loan_activity_counts"))
                .containsExactly(tuple("activity", "text"), tuple("lifecycle", "text"), tuple("events", "bigint"));
    }

    @Test
    void offersHelpdeskTicketsAsAViewWithItsDocumentedColumns() throws SQLException {
        assertThat(relationType("helpdesk_tickets")).isEqualTo("VIEW");
        assertThat(columns("helpdesk_tickets"))
                .containsExactly(
                        tuple("ticket_id", "text"),
                        tuple("status", "text"),
                        tuple("opened_at", "timestamp with time zone"),
                        tuple("last_event_at", "timestamp with time zone"),
                        tuple("event_count", "bigint"));
    }

    static Stream<Arguments> viewsOfTheRealLogs() {
        String time = "timestamp with time zone";
        return Stream.of(
                Arguments.of(
                        "loan_offers",
                        List.of(
                                tuple("application_id", "text"),
                                tuple("offer_no", "integer"),
                                tuple("status", "text"),
                                tuple("created_at", time),
                                tuple("decided_at", time))),
                Arguments.of(
                        "loan_work_items",
                        List.of(
                                tuple("application_id", "text"),
                                tuple("work_item", "text"),
                                tuple("scheduled_at", time),
                                tuple("started_at", time),
                                tuple("completed_at", time),
                                tuple("handling_seconds", "numeric"))),
                Arguments.of(
                        "loan_funnel",
                        List.of(
                                tuple("stage", "text"),
                                tuple("applications", "bigint"),
                                tuple("median_hours_from_submission", "double precision"))),
                Arguments.of(
                        "helpdesk_activity_durations",
                        List.of(
                                tuple("activity", "text"),
                                tuple("events", "bigint"),
                                tuple("median_seconds_to_next", "double precision"))),
                Arguments.of(
                        "weather_daily",
                        List.of(
                                tuple("station", "text"),
                                tuple("day", "date"),
                                tuple("readings", "bigint"),
                                tuple("min_temp", "numeric"),
                                tuple("max_temp", "numeric"),
                                tuple("mean_temp", "numeric"),
                                tuple("total_precip", "numeric"))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("viewsOfTheRealLogs")
    void offersEachViewOfTheRealLogsWithItsDocumentedColumns(String view, List<Tuple> documented) throws SQLException {
        assertThat(relationType(view)).isEqualTo("VIEW");
        assertThat(columns(view)).containsExactlyElementsOf(documented);
    }

    @Test
    void keepsEveryTableOutOfSchemaPublicButFlywaysHistory() throws SQLException {
        List<String> tables = new ArrayList<>();
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement = connection.prepareStatement("select table_name from"
                        + " information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'");
                ResultSet rows = statement.executeQuery()) {
            while (rows.next()) {
                tables.add(rows.getString(1));
            }
        }
        assertThat(tables).containsExactly("flyway_schema_history");
    }

    @Test
    void readsAViewThroughTheGeneratedClassesWithTheDocumentedJavaTypes() {
        // given a row in the table behind loan_applications
        DSLContext sql = DSL.using(dataSource, SQLDialect.POSTGRES);
        LoanApplication table = LoanApplication.LOAN_APPLICATION;
        OffsetDateTime submitted = OffsetDateTime.of(2011, 10, 1, 9, 51, 15, 304_000_000, ZoneOffset.UTC);
        sql.insertInto(table)
                .set(table.APPLICATION_ID, "Application_652823628")
                .set(table.STATUS, "A_SUBMITTED")
                .set(table.AMOUNT_REQUESTED, new BigDecimal("20000"))
                .set(table.SUBMITTED_AT, submitted)
                .set(table.LAST_EVENT_AT, submitted)
                .set(table.EVENT_COUNT, 1L)
                .set(table.AGGREGATE_VERSION, 0L)
                .set(table.SOURCE_PARTITION, 0)
                .set(table.SOURCE_OFFSET, 0L)
                .execute();

        // when
        LoanApplicationsRecord row = sql.selectFrom(LoanApplications.LOAN_APPLICATIONS)
                .where(LoanApplications.LOAN_APPLICATIONS.APPLICATION_ID.eq("Application_652823628"))
                .fetchSingle();

        // then
        assertThat(row.getAmountRequested()).isEqualByComparingTo("20000");
        assertThat(row.getSubmittedAt().toInstant()).isEqualTo(submitted.toInstant());
        assertThat(row.getEventCount()).isEqualTo(1L);
    }

    private static String relationType(String name) throws SQLException {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement = connection.prepareStatement(
                        "select table_type from information_schema.tables where table_schema = 'public'"
                                + " and table_name = ?")) {
            statement.setString(1, name);
            try (ResultSet rows = statement.executeQuery()) {
                return rows.next() ? rows.getString(1) : null;
            }
        }
    }

    private static List<Tuple> columns(String view) throws SQLException {
        List<Tuple> columns = new ArrayList<>();
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement = connection.prepareStatement(
                        "select column_name, data_type from information_schema.columns where table_schema = 'public'"
                                + " and table_name = ? order by ordinal_position")) {
            statement.setString(1, view);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    columns.add(tuple(rows.getString(1), rows.getString(2)));
                }
            }
        }
        return columns;
    }
}
