package io.polyglot.projection.readmodel;

import static io.polyglot.readmodel.jooq.projection.Tables.LOAN_WORK_ITEM_STATE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.jooq.impl.DSL.select;

import io.polyglot.projection.TestDatabase;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Record1;
import org.jooq.SQLDialect;
import org.jooq.SelectOnConditionStep;
import org.jooq.Table;
import org.jooq.conf.MappedSchema;
import org.jooq.conf.RenderMapping;
import org.jooq.conf.Settings;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BatchReadTest {

    private static final OffsetDateTime STARTED = OffsetDateTime.parse("2011-10-01T09:00:00.123456Z");
    private static final OffsetDateTime SCHEDULED = OffsetDateTime.parse("2011-10-01T08:59:59Z");

    @TempDir
    static Path dataDir;

    private static TestDatabase database;

    private DSLContext sql;

    @BeforeAll
    static void startTheDatabase() {
        database = TestDatabase.start(dataDir.resolve("postgres"));
    }

    @AfterAll
    static void stopTheDatabase() {
        if (database != null) {
            database.close();
        }
    }

    @BeforeEach
    void storeTwoWorkItemStates() throws SQLException {
        database.empty();
        sql = DSL.using(database.dataSource(), SQLDialect.POSTGRES);
        sql.insertInto(LOAN_WORK_ITEM_STATE)
                .columns(
                        LOAN_WORK_ITEM_STATE.APPLICATION_ID,
                        LOAN_WORK_ITEM_STATE.WORK_ITEM,
                        LOAN_WORK_ITEM_STATE.OPEN_START_OFFSET,
                        LOAN_WORK_ITEM_STATE.OPEN_STARTED_AT,
                        LOAN_WORK_ITEM_STATE.LAST_SCHEDULED_AT,
                        LOAN_WORK_ITEM_STATE.SOURCE_PARTITION,
                        LOAN_WORK_ITEM_STATE.SOURCE_OFFSET)
                .values("Application_1", "W_Completeren aanvraag", 7L, STARTED, SCHEDULED, 2, 9L)
                .values("Application_2", "W_Nabellen offertes", null, null, null, 0, 4_000_000_000L)
                .execute();
    }

    @Test
    void readsEachSelectedFieldAsItsJavaTypeAndSqlNullsAsNull() throws SQLException {
        // given a read of every column of the work items' states, in another order than the table's, and of an
        // integer that is always null
        Field<Integer> noInteger = DSL.field("cast(null as integer)", Integer.class);
        BatchRead<List<Object>> read = BatchRead.of(
                sql,
                ids -> select(
                                LOAN_WORK_ITEM_STATE.SOURCE_OFFSET,
                                noInteger,
                                LOAN_WORK_ITEM_STATE.LAST_SCHEDULED_AT,
                                LOAN_WORK_ITEM_STATE.WORK_ITEM,
                                LOAN_WORK_ITEM_STATE.SOURCE_PARTITION,
                                LOAN_WORK_ITEM_STATE.OPEN_STARTED_AT,
                                LOAN_WORK_ITEM_STATE.OPEN_START_OFFSET,
                                LOAN_WORK_ITEM_STATE.APPLICATION_ID)
                        .from(ids)
                        .join(LOAN_WORK_ITEM_STATE)
                        .on(LOAN_WORK_ITEM_STATE.APPLICATION_ID.eq(BatchRead.ID_FIELD))
                        .orderBy(LOAN_WORK_ITEM_STATE.APPLICATION_ID),
                row -> Arrays.asList(
                        row.get(LOAN_WORK_ITEM_STATE.APPLICATION_ID),
                        row.get(LOAN_WORK_ITEM_STATE.WORK_ITEM),
                        row.get(LOAN_WORK_ITEM_STATE.OPEN_START_OFFSET),
                        row.get(LOAN_WORK_ITEM_STATE.OPEN_STARTED_AT),
                        row.get(LOAN_WORK_ITEM_STATE.LAST_SCHEDULED_AT),
                        row.get(LOAN_WORK_ITEM_STATE.SOURCE_PARTITION),
                        row.get(LOAN_WORK_ITEM_STATE.SOURCE_OFFSET),
                        row.get(noInteger)));

        // when it reads a batch of both applications and one with nothing stored
        List<List<Object>> rows = new ArrayList<>();
        try (Connection connection = database.dataSource().getConnection()) {
            read.read(connection, new String[] {"Application_2", "Application_0", "Application_1"}, rows::add);
        }

        // then each value has its column's type, times at UTC, and the nulls are nulls
        assertThat(rows)
                .containsExactly(
                        Arrays.asList(
                                "Application_1",
                                "W_Completeren aanvraag",
                                7L,
                                STARTED.withOffsetSameInstant(ZoneOffset.UTC),
                                SCHEDULED.withOffsetSameInstant(ZoneOffset.UTC),
                                2,
                                9L,
                                null),
                        Arrays.asList(
                                "Application_2", "W_Nabellen offertes", null, null, null, 0, 4_000_000_000L, null));
    }

    @Test
    void readsFromTheSchemaTheSettingsOfItsContextMapTo() throws SQLException {
        // given a copy of the states' table in another schema, holding another row
        try (Connection connection = database.dataSource().getConnection();
                Statement statement = connection.createStatement()) {
            statement.execute("drop schema if exists batch_read_copies cascade");
            statement.execute("create schema batch_read_copies");
            statement.execute("create table batch_read_copies.loan_work_item_state"
                    + " (like projection.loan_work_item_state including all)");
            statement.execute("insert into batch_read_copies.loan_work_item_state"
                    + " (application_id, work_item, source_partition, source_offset)"
                    + " values ('Application_1', 'W_Valideren aanvraag', 1, 3)");
        }
        DSLContext copies = DSL.using(
                database.dataSource(),
                SQLDialect.POSTGRES,
                new Settings()
                        .withRenderMapping(new RenderMapping()
                                .withSchemata(new MappedSchema()
                                        .withInput("projection")
                                        .withOutput("batch_read_copies"))));
        BatchRead<String> read =
                BatchRead.of(copies, ids -> workItems(ids), row -> row.get(LOAN_WORK_ITEM_STATE.WORK_ITEM));

        // when / then the copy's row is read, not the live table's
        assertThat(readAll(read, new String[] {"Application_1"})).containsExactly("W_Valideren aanvraag");
    }

    @Test
    void readsNothingForIdsWithNothingStored() throws SQLException {
        // given
        BatchRead<String> read =
                BatchRead.of(sql, ids -> workItems(ids), row -> row.get(LOAN_WORK_ITEM_STATE.WORK_ITEM));

        // when / then
        assertThat(readAll(read, new String[] {"Application_9"}, new String[0])).isEmpty();
    }

    @Test
    void looksTheIdsUpByTheKeyOnceTheTableHasGrownAfterManyReadsOfItWhileItWasSmall() throws SQLException {
        BatchRead<String> read =
                BatchRead.of(sql, BatchReadTest::workItems, row -> row.get(LOAN_WORK_ITEM_STATE.WORK_ITEM));
        String[] manyIds =
                IntStream.range(0, 300).mapToObj(i -> "Application_" + i).toArray(String[]::new);
        try (Connection connection = database.dataSource().getConnection()) {
            // given a connection that read the states of batches of 300 ids twenty times while the table held two
            // rows, as a worker does while its read model fills up, and then 20,000 more rows nothing analyzed (an
            // analysis would make PostgreSQL plan the read again, and the test pass whatever the read does)
            noAutovacuumOfTheStates();
            for (int i = 0; i < 20; i++) {
                read.read(connection, manyIds, item -> {});
            }
            try (Connection other = database.dataSource().getConnection();
                    Statement statement = other.createStatement()) {
                statement.execute("insert into projection.loan_work_item_state"
                        + " (application_id, work_item, source_partition, source_offset)"
                        + " select 'Application_' || i, 'W_Afhandelen leads', 0, i"
                        + " from generate_series(1000, 20999) as i");
            }
            long scansBefore = wholeTableScans(connection);

            // when it reads ten more batches
            List<String> rows = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                read.read(connection, new String[] {"Application_20999", "Application_1"}, rows::add);
            }

            // then it found their rows by the key, scanning the table whole not once
            assertThat(wholeTableScans(connection) - scansBefore).isZero();
            assertThat(rows).hasSize(20).containsOnly("W_Afhandelen leads", "W_Completeren aanvraag");
        }
    }

    @Test
    void refusesAQueryThatBindsAnythingBesidesTheIds() {
        assertThatThrownBy(() -> BatchRead.of(
                        sql,
                        ids -> workItems(ids).where(LOAN_WORK_ITEM_STATE.WORK_ITEM.eq("W_Nabellen offertes")),
                        row -> row.get(LOAN_WORK_ITEM_STATE.WORK_ITEM)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("the batch's ids and nothing else");
    }

    @Test
    void refusesAQueryThatBindsAValueInsteadOfTheIds() {
        assertThatThrownBy(() -> BatchRead.of(
                        sql,
                        ids -> select(LOAN_WORK_ITEM_STATE.WORK_ITEM)
                                .from(LOAN_WORK_ITEM_STATE)
                                .where(LOAN_WORK_ITEM_STATE.APPLICATION_ID.eq("Application_1")),
                        row -> row.get(LOAN_WORK_ITEM_STATE.WORK_ITEM)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("the batch's ids and nothing else");
    }

    @Test
    void refusesToGiveAFieldTheQueryDoesNotSelect() throws SQLException {
        // given a read that selects the work item but asks for the partition
        BatchRead<Integer> read =
                BatchRead.of(sql, ids -> workItems(ids), row -> row.get(LOAN_WORK_ITEM_STATE.SOURCE_PARTITION));

        // when / then
        try (Connection connection = database.dataSource().getConnection()) {
            assertThatThrownBy(() -> read.read(connection, new String[] {"Application_1"}, partition -> {}))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("does not select")
                    .hasMessageContaining("source_partition");
        }
    }

    /** The work items stored for the batch's ids. */
    private static SelectOnConditionStep<Record1<String>> workItems(Table<?> ids) {
        return select(LOAN_WORK_ITEM_STATE.WORK_ITEM)
                .from(ids)
                .join(LOAN_WORK_ITEM_STATE)
                .on(LOAN_WORK_ITEM_STATE.APPLICATION_ID.eq(BatchRead.ID_FIELD));
    }

    /** What {@code read} gives for each batch of ids in turn, on one connection. */
    private static List<String> readAll(BatchRead<String> read, String[]... batches) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Connection connection = database.dataSource().getConnection()) {
            for (String[] ids : batches) {
                read.read(connection, ids, rows::add);
            }
        }
        return rows;
    }

    /**
     * How often the states' table was read whole, counting the reads of {@code connection}: its statistics are sent
     * first, which PostgreSQL otherwise does at most once a second.
     */
    private static long wholeTableScans(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute("select pg_stat_force_next_flush()");
        }
        try (Connection other = database.dataSource().getConnection();
                Statement statement = other.createStatement();
                ResultSet result = statement.executeQuery("select seq_scan from pg_stat_user_tables"
                        + " where schemaname = 'projection' and relname = 'loan_work_item_state'")) {
            result.next();
            return result.getLong(1);
        }
    }

    private static void noAutovacuumOfTheStates() throws SQLException {
        try (Connection connection = database.dataSource().getConnection();
                Statement statement = connection.createStatement()) {
            statement.execute("alter table projection.loan_work_item_state set (autovacuum_enabled = off)");
        }
    }
}
