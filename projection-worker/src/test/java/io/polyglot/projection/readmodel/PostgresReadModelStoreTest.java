package io.polyglot.projection.readmodel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import io.polyglot.projection.BatchPause;
import io.polyglot.projection.ReadModelStore.Applied;
import io.polyglot.projection.ReadModelStore.BatchOutcome;
import io.polyglot.projection.ReadModelStore.Fenced;
import io.polyglot.projection.ReadModelWriteException;
import io.polyglot.projection.TestDatabase;
import io.polyglot.projection.TestDatabase.ActivityCountRow;
import io.polyglot.projection.TestDatabase.HelpdeskTicketRow;
import io.polyglot.projection.TestDatabase.LoanApplicationRow;
import io.polyglot.projection.domain.ActivityCountChange;
import io.polyglot.projection.domain.HelpdeskTicketChange;
import io.polyglot.projection.domain.LoanApplicationChange;
import io.polyglot.projection.domain.PartitionAdvance;
import io.polyglot.projection.domain.ReadModelBatch;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import javax.sql.DataSource;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PostgresReadModelStoreTest {

    private static final String TOPIC = "events.all";
    private static final Instant NINE = Instant.parse("2011-10-01T09:00:00.123456Z");

    @TempDir
    static Path dataDir;

    private static TestDatabase database;

    private PostgresReadModelStore store;
    private String group;

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
    void startFromAnEmptyReadModel() throws SQLException {
        database.empty();
        group = "group-" + UUID.randomUUID();
        store = new PostgresReadModelStore(database.dataSource(), group);
    }

    @Test
    void appliesABatchAndStoresTheNextOffsetOfEachPartition() throws SQLException {
        // given
        ReadModelBatch batch = batch(
                List.of(first(0, 2), first(1, 1)),
                List.of(loan("Application_1", "A_SUBMITTED", 2, 0, 1)),
                List.of(new ActivityCountChange(0, "A_SUBMITTED", "COMPLETE", 2, 1)),
                List.of(ticket("Case 1", "Insert ticket", 1, 1, 0)));

        // when
        BatchOutcome outcome = store.apply(batch);

        // then
        assertThat(outcome).isInstanceOf(Applied.class);
        assertThat(database.storedOffset(group, TOPIC, 0)).isEqualTo(2);
        assertThat(database.storedOffset(group, TOPIC, 1)).isEqualTo(1);
        assertThat(store.storedOffsets(TOPIC, List.of(0, 1, 2))).isEqualTo(Map.of(0, 2L, 1, 1L));
        assertThat(database.loanApplications())
                .containsExactly(
                        new LoanApplicationRow("Application_1", "A_SUBMITTED", new BigDecimal("2E+4"), NINE, NINE, 2));
        assertThat(database.loanActivityCounts()).containsExactly(new ActivityCountRow("A_SUBMITTED", "COMPLETE", 2));
        assertThat(database.helpdeskTickets())
                .containsExactly(new HelpdeskTicketRow("Case 1", "Insert ticket", NINE, NINE, 1));
    }

    @Test
    void upsertingTheSameRowChangesTwiceGivesTheSameRows() throws SQLException {
        // given a batch that was applied
        List<LoanApplicationChange> loans = List.of(loan("Application_1", "A_SUBMITTED", 2, 0, 1));
        List<ActivityCountChange> counts = List.of(new ActivityCountChange(0, "A_SUBMITTED", null, 2, 1));
        List<HelpdeskTicketChange> tickets = List.of(ticket("Case 1", "Insert ticket", 1, 0, 0));
        store.apply(batch(List.of(first(0, 2)), loans, counts, tickets));
        List<LoanApplicationRow> loanRows = database.loanApplications();
        List<ActivityCountRow> countRows = database.loanActivityCounts();
        List<HelpdeskTicketRow> ticketRows = database.helpdeskTickets();

        // when the same row changes come again, with an offset advance that is not fenced
        BatchOutcome outcome = store.apply(batch(List.of(next(0, 2, 3)), loans, counts, tickets));

        // then
        assertThat(outcome).isInstanceOf(Applied.class);
        assertThat(database.loanApplications()).isEqualTo(loanRows);
        assertThat(database.loanActivityCounts()).isEqualTo(countRows);
        assertThat(database.helpdeskTickets()).isEqualTo(ticketRows);
    }

    @Test
    void fencesABatchThatStartsFromAnOffsetNoLongerStored() throws SQLException {
        // given another instance applied the partition up to offset 2
        store.apply(batch(
                List.of(first(0, 2)), List.of(loan("Application_1", "A_SUBMITTED", 2, 0, 1)), List.of(), List.of()));

        // when a stale instance applies the same offsets, starting from the offset it saw before
        BatchOutcome fromNothing = store.apply(batch(
                List.of(first(0, 2)), List.of(loan("Application_1", "A_DECLINED", 2, 0, 1)), List.of(), List.of()));
        BatchOutcome fromAnOlderOffset = store.apply(batch(
                List.of(next(0, 1, 3)), List.of(loan("Application_2", "A_DECLINED", 1, 0, 2)), List.of(), List.of()));

        // then nothing of either batch is applied
        assertThat(fromNothing).isEqualTo(new Fenced(0));
        assertThat(fromAnOlderOffset).isEqualTo(new Fenced(0));
        assertThat(database.storedOffset(group, TOPIC, 0)).isEqualTo(2);
        assertThat(database.loanApplications())
                .extracting(
                        LoanApplicationRow::applicationId, LoanApplicationRow::status, LoanApplicationRow::eventCount)
                .containsExactly(tuple("Application_1", "A_SUBMITTED", 2L));
    }

    @Test
    void rollsBackEveryPartitionOfABatchWhenOneIsFenced() throws SQLException {
        // given partition 1 was applied by another instance
        store.apply(batch(List.of(first(1, 5)), List.of(), List.of(), List.of()));

        // when a batch advances partition 0 as well as a stale partition 1
        BatchOutcome outcome = store.apply(batch(
                List.of(first(0, 3), first(1, 5)),
                List.of(loan("Application_1", "A_SUBMITTED", 3, 0, 2)),
                List.of(new ActivityCountChange(0, "A_SUBMITTED", "COMPLETE", 3, 2)),
                List.of()));

        // then
        assertThat(outcome).isEqualTo(new Fenced(1));
        assertThat(database.storedOffset(group, TOPIC, 0)).isEqualTo(-1);
        assertThat(database.loanApplications()).isEmpty();
        assertThat(database.loanActivityCounts()).isEmpty();
    }

    @Test
    void mergesALaterBatchIntoTheStoredRows() throws SQLException {
        // given a submitted application with an amount
        store.apply(batch(
                List.of(first(0, 2)),
                List.of(loan("Application_1", "A_SUBMITTED", 2, 0, 1)),
                List.of(),
                List.of(ticket("Case 1", "Insert ticket", 1, 0, 0))));

        // when a later batch has no state event, another amount and an earlier timestamp for the ticket
        LoanApplicationChange workItems = new LoanApplicationChange(
                "Application_1", null, new BigDecimal("7"), null, NINE.plusSeconds(60), 3, 0, 0, 4);
        HelpdeskTicketChange resolved = new HelpdeskTicketChange(
                "Case 1", "Resolve ticket", NINE.minusSeconds(60), NINE.minusSeconds(30), 2, 0, 0, 4);
        store.apply(batch(List.of(next(0, 2, 5)), List.of(workItems), List.of(), List.of(resolved)));

        // then status, amount, submission and opening time stay; times take the latest; counts add up
        assertThat(database.loanApplications())
                .containsExactly(new LoanApplicationRow(
                        "Application_1", "A_SUBMITTED", new BigDecimal("2E+4"), NINE, NINE.plusSeconds(60), 5));
        assertThat(database.helpdeskTickets())
                .containsExactly(new HelpdeskTicketRow("Case 1", "Resolve ticket", NINE, NINE, 3));
    }

    @Test
    void addsUpThePartialCountsOfEveryPartitionInTheView() throws SQLException {
        // when two partitions count the same activity, and one a null lifecycle twice over two batches
        store.apply(batch(
                List.of(first(0, 10), first(1, 10)),
                List.of(),
                List.of(
                        new ActivityCountChange(0, "A_SUBMITTED", "COMPLETE", 4, 9),
                        new ActivityCountChange(0, "W_Valideren aanvraag", null, 1, 3),
                        new ActivityCountChange(1, "A_SUBMITTED", "COMPLETE", 6, 9)),
                List.of()));
        store.apply(batch(
                List.of(next(0, 10, 12)),
                List.of(),
                List.of(new ActivityCountChange(0, "W_Valideren aanvraag", null, 2, 11)),
                List.of()));

        // then
        assertThat(database.loanActivityCounts())
                .containsExactly(
                        new ActivityCountRow("A_SUBMITTED", "COMPLETE", 10),
                        new ActivityCountRow("W_Valideren aanvraag", null, 3));
    }

    @Test
    void appliesABatchOfThousandsOfRowsAsItAppliesOne() throws SQLException {
        // given thousands of applications, more rows than a statement of bound values could carry
        int applications = 12_017;
        List<LoanApplicationChange> loans = IntStream.range(0, applications)
                .mapToObj(i -> loan(String.format("Application_%05d", i), "A_SUBMITTED", 1 + i % 3, 0, i))
                .toList();

        // when they come in one batch, and one more application alone in the next
        BatchOutcome outcome = store.apply(batch(List.of(first(0, applications)), loans, List.of(), List.of()));
        BatchOutcome single = store.apply(batch(
                List.of(next(0, applications, applications + 1)),
                List.of(loan("Application_99999", "A_ACCEPTED", 2, 0, applications)),
                List.of(),
                List.of()));

        // then every row is stored with its own values, the single one too
        assertThat(outcome).isInstanceOf(Applied.class);
        assertThat(single).isInstanceOf(Applied.class);
        List<LoanApplicationRow> expected = new ArrayList<>(IntStream.range(0, applications)
                .mapToObj(i -> new LoanApplicationRow(
                        String.format("Application_%05d", i),
                        "A_SUBMITTED",
                        new BigDecimal("2E+4"),
                        NINE,
                        NINE,
                        1 + i % 3))
                .toList());
        expected.add(new LoanApplicationRow("Application_99999", "A_ACCEPTED", new BigDecimal("2E+4"), NINE, NINE, 2));
        assertThat(database.loanApplications()).isEqualTo(expected);
        assertThat(database.storedOffset(group, TOPIC, 0)).isEqualTo(applications + 1);
    }

    @Test
    void upsertsABatchOfOneRowAndABatchOfThousandsWithTheSameStatement() throws SQLException {
        // given a store whose statements record their text each time they are executed
        List<String> executed = new CopyOnWriteArrayList<>();
        PostgresReadModelStore recorded = new PostgresReadModelStore(recording(database.dataSource(), executed), group);
        List<LoanApplicationChange> thousands = IntStream.range(1, 3_001)
                .mapToObj(i -> loan(String.format("Application_%05d", i), "A_SUBMITTED", 1, 0, i))
                .toList();

        // when a batch of one application comes, then a batch of 3,000
        recorded.apply(batch(
                List.of(first(0, 1)),
                List.of(loan("Application_00000", "A_SUBMITTED", 1, 0, 0)),
                List.of(),
                List.of()));
        List<String> ofOne = upsertsIntoLoanApplication(executed);
        executed.clear();
        recorded.apply(batch(List.of(next(0, 1, 3_001)), thousands, List.of(), List.of()));
        List<String> ofThousands = upsertsIntoLoanApplication(executed);

        // then each batch sent one upsert into the table, of the same text, and every row is stored
        assertThat(ofOne).hasSize(1);
        assertThat(ofThousands).isEqualTo(ofOne);
        assertThat(database.loanApplications()).hasSize(3_001);
    }

    @Test
    void insertsTheFirstOffsetsOfThreePartitionsWithOneStatementAndThreeRowsExist() throws SQLException {
        // given a store whose statements record their text each time they are executed
        List<String> executed = new CopyOnWriteArrayList<>();
        PostgresReadModelStore countedStore =
                new PostgresReadModelStore(recording(database.dataSource(), executed), group);

        // when a batch starts three partitions that have no stored offset
        BatchOutcome outcome = countedStore.apply(
                batch(List.of(first(0, 4), first(1, 5), first(2, 6)), List.of(), List.of(), List.of()));

        // then one insert, ignoring duplicates, stored all three: counted in the table, not by the driver
        assertThat(outcome).isInstanceOf(Applied.class);
        assertThat(executed)
                .filteredOn(text -> text.startsWith("insert into \"projection\".\"projection_offsets\""))
                .hasSize(1);
        assertThat(rowsInTheOffsetsTable()).isEqualTo(3);
        assertThat(store.storedOffsets(TOPIC, List.of(0, 1, 2))).isEqualTo(Map.of(0, 4L, 1, 5L, 2, 6L));
    }

    @Test
    void handsItsConnectionBackInAutoCommitWithNothingOfAFailedBatchAfterEachOutcome() throws SQLException {
        try (Connection shared = database.dataSource().getConnection()) {
            // given a store whose every batch runs on one and the same connection, which closing leaves open, and
            // partition 1 applied by another instance
            AtomicInteger handedOut = new AtomicInteger();
            AtomicInteger handedBack = new AtomicInteger();
            PostgresReadModelStore onOne = new PostgresReadModelStore(keptOpen(shared, handedOut, handedBack), group);
            store.apply(batch(List.of(first(1, 5)), List.of(), List.of(), List.of()));
            List<Boolean> autoCommitAfter = new ArrayList<>();

            // when a batch is applied; a batch moves partition 0 on and is then fenced on the stale partition 1; a
            // batch is refused for a NUL character in a text; and one more batch comes
            BatchOutcome applied = onOne.apply(batch(
                    List.of(first(0, 2)),
                    List.of(loan("Application_1", "A_SUBMITTED", 2, 0, 1)),
                    List.of(),
                    List.of()));
            autoCommitAfter.add(shared.getAutoCommit());
            BatchOutcome fenced = onOne.apply(batch(
                    List.of(next(0, 2, 3), first(1, 5)),
                    List.of(loan("Application_2", "A_SUBMITTED", 1, 0, 2)),
                    List.of(),
                    List.of()));
            autoCommitAfter.add(shared.getAutoCommit());
            assertThatThrownBy(() -> onOne.apply(batch(
                            List.of(next(0, 2, 3)),
                            List.of(loan("Application_3", "A_\u0000SUBMITTED", 1, 0, 2)),
                            List.of(),
                            List.of())))
                    .isInstanceOf(ReadModelWriteException.class);
            autoCommitAfter.add(shared.getAutoCommit());
            BatchOutcome after = onOne.apply(batch(
                    List.of(next(0, 2, 3)),
                    List.of(loan("Application_4", "A_SUBMITTED", 1, 0, 2)),
                    List.of(),
                    List.of()));

            // then the connection went back after each batch, in auto-commit; nothing of the fenced or the refused
            // batch stayed (not partition 0's move either), and the last batch applied
            assertThat(handedOut).hasValue(4);
            assertThat(handedBack).hasValue(4);
            assertThat(autoCommitAfter).containsExactly(true, true, true);
            assertThat(List.of(applied, fenced, after)).containsExactly(new Applied(), new Fenced(1), new Applied());
            assertThat(database.loanApplications())
                    .extracting(LoanApplicationRow::applicationId)
                    .containsExactly("Application_1", "Application_4");
            assertThat(database.storedOffset(group, TOPIC, 0)).isEqualTo(3);
        }
    }

    @Test
    void refusesAJooqDialectOtherThanPostgres() {
        // given
        DSLContext mysql = DSL.using(database.dataSource(), SQLDialect.MYSQL);

        // when / then
        assertThatThrownBy(() -> new PostgresReadModelStore(mysql, group, BatchPause.NONE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("MYSQL")
                .hasMessageContaining("POSTGRES");
    }

    private long rowsInTheOffsetsTable() throws SQLException {
        try (Connection connection = database.dataSource().getConnection();
                PreparedStatement statement = connection.prepareStatement(
                        "select count(*) from projection.projection_offsets where consumer_group = ?")) {
            statement.setString(1, group);
            try (ResultSet result = statement.executeQuery()) {
                result.next();
                return result.getLong(1);
            }
        }
    }

    private static ReadModelBatch batch(
            List<PartitionAdvance> advances,
            List<LoanApplicationChange> loans,
            List<ActivityCountChange> counts,
            List<HelpdeskTicketChange> tickets) {
        return new ReadModelBatch(TOPIC, advances, loans, counts, tickets, Map.of());
    }

    private static PartitionAdvance first(int partition, long next) {
        return new PartitionAdvance(partition, OptionalLong.empty(), next);
    }

    private static PartitionAdvance next(int partition, long expected, long next) {
        return new PartitionAdvance(partition, OptionalLong.of(expected), next);
    }

    private static LoanApplicationChange loan(String id, String status, long events, int partition, long lastOffset) {
        return new LoanApplicationChange(
                id, status, new BigDecimal("20000"), NINE, NINE, events, 0, partition, lastOffset);
    }

    private static HelpdeskTicketChange ticket(String id, String status, long events, int partition, long lastOffset) {
        return new HelpdeskTicketChange(id, status, NINE, NINE, events, 0, partition, lastOffset);
    }

    private static List<String> upsertsIntoLoanApplication(List<String> statements) {
        return statements.stream()
                .filter(sql -> sql.startsWith("insert into \"projection\".\"loan_application\""))
                .toList();
    }

    /** {@code dataSource}, whose statements add their text to {@code executed} each time they are executed. */
    private static DataSource recording(DataSource dataSource, List<String> executed) {
        ClassLoader loader = PostgresReadModelStoreTest.class.getClassLoader();
        return (DataSource) Proxy.newProxyInstance(loader, new Class<?>[] {DataSource.class}, (proxy, method, args) -> {
            Object result = invoke(method, dataSource, args);
            if (!(result instanceof Connection connection)) {
                return result;
            }
            return Proxy.newProxyInstance(loader, new Class<?>[] {Connection.class}, (inner, call, callArgs) -> {
                Object made = invoke(call, connection, callArgs);
                if (!call.getName().equals("prepareStatement")) {
                    return made;
                }
                String text = (String) callArgs[0];
                return Proxy.newProxyInstance(
                        loader, new Class<?>[] {PreparedStatement.class}, (statement, use, useArgs) -> {
                            if (use.getName().startsWith("execute")) {
                                executed.add(text);
                            }
                            return invoke(use, made, useArgs);
                        });
            });
        });
    }

    /**
     * A data source that hands out {@code connection} every time, counting in {@code handedOut}, and whose connections'
     * {@code close} leaves it open, counting in {@code handedBack}.
     */
    private static DataSource keptOpen(Connection connection, AtomicInteger handedOut, AtomicInteger handedBack) {
        ClassLoader loader = PostgresReadModelStoreTest.class.getClassLoader();
        Connection unclosable =
                (Connection) Proxy.newProxyInstance(loader, new Class<?>[] {Connection.class}, (proxy, call, args) -> {
                    if (call.getName().equals("close")) {
                        handedBack.incrementAndGet();
                        return null;
                    }
                    return invoke(call, connection, args);
                });
        return (DataSource) Proxy.newProxyInstance(loader, new Class<?>[] {DataSource.class}, (proxy, method, args) -> {
            if (method.getName().equals("getConnection")) {
                handedOut.incrementAndGet();
                return unclosable;
            }
            throw new UnsupportedOperationException(method.getName());
        });
    }

    private static Object invoke(Method method, Object target, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
