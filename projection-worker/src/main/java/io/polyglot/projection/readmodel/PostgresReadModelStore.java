package io.polyglot.projection.readmodel;

import static io.polyglot.readmodel.jooq.projection.Tables.HELPDESK_TICKET;
import static io.polyglot.readmodel.jooq.projection.Tables.LOAN_ACTIVITY_COUNT_PART;
import static io.polyglot.readmodel.jooq.projection.Tables.LOAN_APPLICATION;
import static io.polyglot.readmodel.jooq.projection.Tables.PROJECTION_OFFSETS;
import static org.jooq.impl.DSL.coalesce;
import static org.jooq.impl.DSL.excluded;
import static org.jooq.impl.DSL.greatest;
import static org.jooq.impl.DSL.param;

import io.polyglot.projection.BatchPause;
import io.polyglot.projection.ReadModelStore;
import io.polyglot.projection.ReadModelUnavailableException;
import io.polyglot.projection.ReadModelWriteException;
import io.polyglot.projection.domain.ActivityCountChange;
import io.polyglot.projection.domain.AggregateRowChange;
import io.polyglot.projection.domain.HelpdeskTicketChange;
import io.polyglot.projection.domain.LoanApplicationChange;
import io.polyglot.projection.domain.PartitionAdvance;
import io.polyglot.projection.domain.ReadModelBatch;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import javax.sql.DataSource;
import org.jooq.Condition;
import org.jooq.ConnectionProvider;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.InsertOnDuplicateSetMoreStep;
import org.jooq.InsertOnDuplicateStep;
import org.jooq.Query;
import org.jooq.SQLDialect;
import org.jooq.Table;
import org.jooq.exception.DataAccessException;
import org.jooq.impl.DSL;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The read model in PostgreSQL. jOOQ renders every statement of a batch once, when the store is made, and a batch runs
 * them through JDBC. A batch is one transaction: first the conditional offset update of each partition (which fences a
 * stale instance before it touches a row), then one upsert per table, rows in key order, bound as one array per column
 * ({@link ArrayUpsert}). Every row remembers the
 * source partition and offset of the last event folded into it, and an upsert leaves a row alone when it has seen
 * that event already, so replaying an applied batch changes nothing.
 */
public final class PostgresReadModelStore implements ReadModelStore {

    private static final Logger log = LoggerFactory.getLogger(PostgresReadModelStore.class);

    private static final int TRANSIENT_ATTEMPTS = 5;
    private static final Comparator<LoanApplicationChange> LOAN_APPLICATION_ORDER =
            Comparator.comparing(LoanApplicationChange::applicationId);
    private static final Comparator<HelpdeskTicketChange> HELPDESK_TICKET_ORDER =
            Comparator.comparing(HelpdeskTicketChange::ticketId);
    private static final Comparator<ActivityCountChange> ACTIVITY_COUNT_ORDER = Comparator.comparingInt(
                    ActivityCountChange::partition)
            .thenComparing(ActivityCountChange::activity)
            .thenComparing(ActivityCountChange::lifecycle, Comparator.nullsFirst(Comparator.naturalOrder()));
    private static final String SERIALIZATION_FAILURE = "40001";
    private static final String DEADLOCK_DETECTED = "40P01";

    private final DSLContext sql;
    private final String consumerGroup;
    private final BatchPause pause;
    private final ArrayUpsert<LoanApplicationChange> loanApplications;
    private final ArrayUpsert<ActivityCountChange> loanActivityCounts;
    private final ArrayUpsert<HelpdeskTicketChange> helpdeskTickets;
    private final RealLogUpserts realLogs;
    private final String advanceOffset;
    private final ArrayUpsert<FirstOffset> firstOffsets;

    public PostgresReadModelStore(DataSource dataSource, String consumerGroup) {
        this(DSL.using(dataSource, SQLDialect.POSTGRES), consumerGroup, BatchPause.NONE);
    }

    public PostgresReadModelStore(DataSource dataSource, String consumerGroup, BatchPause pause) {
        this(DSL.using(dataSource, SQLDialect.POSTGRES), consumerGroup, pause);
    }

    /**
     * A store on {@code sql}, which must speak PostgreSQL: the upserts rely on {@code ON CONFLICT} and {@code
     * RETURNING}, which jOOQ would emulate for other dialects with statements whose counts mean something else. The
     * store takes the dialect, its render settings (a schema mapping, say) and its connection provider from {@code
     * sql}; a batch's statements run through JDBC, so its transaction provider, its listeners and its execution
     * settings (a query timeout, say) do not apply to them.
     *
     * @throws IllegalArgumentException when the dialect is not PostgreSQL's
     */
    public PostgresReadModelStore(DSLContext sql, String consumerGroup, BatchPause pause) {
        if (sql.dialect().family() != SQLDialect.POSTGRES) {
            throw new IllegalArgumentException("the read model is written with PostgreSQL's SQL, but the jOOQ dialect"
                    + " is " + sql.dialect() + "; configure SQLDialect.POSTGRES");
        }
        this.sql = sql;
        this.consumerGroup = consumerGroup;
        this.pause = pause;
        this.loanApplications = loanApplicationUpsert(sql);
        this.loanActivityCounts = loanActivityCountUpsert(sql);
        this.helpdeskTickets = helpdeskTicketUpsert(sql);
        this.realLogs = new RealLogUpserts(sql);
        this.advanceOffset = advanceOffsetStatement(sql);
        this.firstOffsets = firstOffsetsInsert(sql);
    }

    @Override
    public Map<Integer, Long> storedOffsets(String topic, Collection<Integer> partitions) {
        try {
            return sql.select(PROJECTION_OFFSETS.PARTITION, PROJECTION_OFFSETS.NEXT_OFFSET)
                    .from(PROJECTION_OFFSETS)
                    .where(PROJECTION_OFFSETS.CONSUMER_GROUP.eq(consumerGroup))
                    .and(PROJECTION_OFFSETS.TOPIC.eq(topic))
                    .and(PROJECTION_OFFSETS.PARTITION.in(partitions))
                    .fetchMap(PROJECTION_OFFSETS.PARTITION, PROJECTION_OFFSETS.NEXT_OFFSET);
        } catch (DataAccessException e) {
            // No record is involved in reading offsets, so whatever the database says, it is worth trying again.
            throw new ReadModelUnavailableException(
                    "reading the stored offsets failed (SQL state " + e.sqlState() + "); retrying later", e);
        }
    }

    @Override
    public BatchOutcome apply(ReadModelBatch batch) {
        for (int attempt = 1; ; attempt++) {
            try {
                inTransaction(batch);
                return new Applied();
            } catch (FencedBatch fenced) {
                return new Fenced(fenced.partition);
            } catch (DataAccessException e) {
                String state = e.sqlState();
                boolean passing = SERIALIZATION_FAILURE.equals(state) || DEADLOCK_DETECTED.equals(state);
                if (passing && attempt < TRANSIENT_ATTEMPTS) {
                    log.debug(
                            "Batch transaction failed with SQL state {}, attempt {} of {}",
                            state,
                            attempt,
                            TRANSIENT_ATTEMPTS);
                    continue;
                }
                throw classify("applying a batch", e);
            }
        }
    }

    /**
     * Applies the batch in one transaction on a connection of the store's provider, through JDBC: every statement's
     * text is rendered once, so a batch runs no jOOQ code but the connection's acquire and release. A failed statement
     * comes out as jOOQ's {@link DataAccessException} around the driver's exception, as jOOQ's own execution gave it,
     * and a connection that cannot be released never hides what the batch came to.
     *
     * @throws FencedBatch when a partition's stored offset is not where the batch expects it
     */
    private void inTransaction(ReadModelBatch batch) {
        ConnectionProvider connections = sql.configuration().connectionProvider();
        Connection connection = connections.acquire();
        try {
            transaction(connection, batch);
        } catch (SQLException e) {
            DataAccessException failure = new DataAccessException("applying a batch failed: " + e.getMessage(), e);
            release(connections, connection, failure);
            throw failure;
        } catch (RuntimeException | Error e) {
            release(connections, connection, e);
            throw e;
        }
        release(connections, connection, null);
    }

    private void transaction(Connection connection, ReadModelBatch batch) throws SQLException {
        boolean autoCommit = connection.getAutoCommit();
        connection.setAutoCommit(false);
        try {
            pause.reached(BatchPause.Point.TRANSACTION_STARTED);
            advanceOffsets(connection, batch);
            loanApplications.write(connection, sorted(batch.loanApplications(), LOAN_APPLICATION_ORDER));
            loanActivityCounts.write(connection, sorted(batch.loanActivityCounts(), ACTIVITY_COUNT_ORDER));
            helpdeskTickets.write(connection, sorted(batch.helpdeskTickets(), HELPDESK_TICKET_ORDER));
            realLogs.write(connection, batch.realLogs());
            pause.reached(BatchPause.Point.BEFORE_COMMIT);
            connection.commit();
        } catch (Throwable failure) {
            if (rolledBack(connection) && autoCommit) {
                restoreAutoCommit(connection);
            }
            throw failure;
        }
        if (autoCommit) {
            restoreAutoCommit(connection);
        }
    }

    /**
     * Whether the rollback went through. When it did not, auto-commit stays off: turning it back on would commit
     * whatever the transaction holds.
     */
    private static boolean rolledBack(Connection connection) {
        try {
            connection.rollback();
            return true;
        } catch (SQLException | RuntimeException e) {
            log.warn("Cannot roll back a failed batch's transaction; its connection keeps auto-commit off", e);
            return false;
        }
    }

    /** Hands the connection back as it came; one that cannot take it back is broken, which its next use finds out. */
    private static void restoreAutoCommit(Connection connection) {
        try {
            connection.setAutoCommit(true);
        } catch (SQLException e) {
            log.debug("Cannot restore auto-commit on a connection after a batch", e);
        }
    }

    /**
     * Releases the connection. Its failure is logged, and kept with the batch's own failure where there is one, but
     * never thrown: the batch's outcome is what counts (after a commit, the batch is applied whatever the pool says).
     */
    private static void release(ConnectionProvider connections, Connection connection, Throwable failure) {
        try {
            connections.release(connection);
        } catch (RuntimeException e) {
            if (failure != null) {
                failure.addSuppressed(e);
            }
            log.warn("Cannot release a connection after a batch", e);
        }
    }

    /**
     * Moves each partition's stored offset, only from the offset the batch started from. Partitions with no stored
     * offset yet get theirs in one insert that ignores rows already there; which rows it inserted comes back through
     * {@code RETURNING}, never from an update count, which drivers may report as unknown.
     */
    private void advanceOffsets(Connection transaction, ReadModelBatch batch) throws SQLException {
        List<FirstOffset> firsts = new ArrayList<>();
        List<PartitionAdvance> moves = new ArrayList<>();
        for (PartitionAdvance advance : batch.advances()) {
            if (advance.expected().isEmpty()) {
                firsts.add(new FirstOffset(consumerGroup, batch.topic(), advance.partition(), advance.next()));
            } else {
                moves.add(advance);
            }
        }
        if (!moves.isEmpty()) {
            try (PreparedStatement update = transaction.prepareStatement(advanceOffset)) {
                for (PartitionAdvance move : moves) {
                    update.setLong(1, move.next());
                    update.setString(2, consumerGroup);
                    update.setString(3, batch.topic());
                    update.setInt(4, move.partition());
                    update.setLong(5, move.expected().getAsLong());
                    if (update.executeUpdate() != 1) {
                        throw new FencedBatch(move.partition());
                    }
                }
            }
        }
        if (firsts.isEmpty()) {
            return;
        }
        Set<Integer> inserted = new HashSet<>(firstOffsets.writeReturning(transaction, firsts, Integer.class));
        for (FirstOffset first : firsts) {
            if (!inserted.contains(first.partition())) {
                throw new FencedBatch(first.partition());
            }
        }
    }

    /**
     * The conditional move of one partition's offset, its parameters in this order: the next offset, the consumer
     * group, the topic, the partition, and the offset the batch expects stored.
     */
    private static String advanceOffsetStatement(DSLContext sql) {
        Query update = sql.update(PROJECTION_OFFSETS)
                .set(PROJECTION_OFFSETS.NEXT_OFFSET, param("next", Long.class))
                .where(PROJECTION_OFFSETS.CONSUMER_GROUP.eq(param("group", String.class)))
                .and(PROJECTION_OFFSETS.TOPIC.eq(param("topic", String.class)))
                .and(PROJECTION_OFFSETS.PARTITION.eq(param("partition", Integer.class)))
                .and(PROJECTION_OFFSETS.NEXT_OFFSET.eq(param("expected", Long.class)));
        List<String> order = List.copyOf(sql.extractParams(update).keySet());
        String rendered = sql.render(update);
        if (!order.equals(List.of("next", "group", "topic", "partition", "expected"))
                || rendered.chars().filter(c -> c == '?').count() != order.size()) {
            throw new IllegalStateException("the offset update does not bind its five parameters in order with these"
                    + " settings: " + order + " in " + rendered);
        }
        return rendered;
    }

    /** The first stored offset of a partition. */
    private record FirstOffset(String consumerGroup, String topic, int partition, long next) {}

    private static ArrayUpsert<FirstOffset> firstOffsetsInsert(DSLContext sql) {
        return ArrayUpsert.<FirstOffset>into(PROJECTION_OFFSETS)
                .column(PROJECTION_OFFSETS.CONSUMER_GROUP, FirstOffset::consumerGroup)
                .column(PROJECTION_OFFSETS.TOPIC, FirstOffset::topic)
                .column(PROJECTION_OFFSETS.PARTITION, FirstOffset::partition)
                .column(PROJECTION_OFFSETS.NEXT_OFFSET, FirstOffset::next)
                .build(sql, insert -> insert.onConflictDoNothing().returningResult(PROJECTION_OFFSETS.PARTITION));
    }

    private static ArrayUpsert<LoanApplicationChange> loanApplicationUpsert(DSLContext sql) {
        ArrayUpsert.Builder<LoanApplicationChange> columns = ArrayUpsert.<LoanApplicationChange>into(LOAN_APPLICATION)
                .column(LOAN_APPLICATION.APPLICATION_ID, LoanApplicationChange::applicationId)
                .column(LOAN_APPLICATION.STATUS, LoanApplicationChange::status)
                .column(LOAN_APPLICATION.AMOUNT_REQUESTED, LoanApplicationChange::amountRequested)
                .column(LOAN_APPLICATION.SUBMITTED_AT, change -> utc(change.submittedAt()));
        return AggregateRowColumns.of(LOAN_APPLICATION)
                .upsert(sql, columns, PostgresReadModelStore::loanApplicationMerge);
    }

    /** A status, amount or submission time the batch does not know leaves the stored one. */
    private static InsertOnDuplicateSetMoreStep<?> loanApplicationMerge(InsertOnDuplicateStep<?> insert) {
        return insert.onConflict(LOAN_APPLICATION.APPLICATION_ID)
                .doUpdate()
                .set(LOAN_APPLICATION.STATUS, coalesce(excluded(LOAN_APPLICATION.STATUS), LOAN_APPLICATION.STATUS))
                .set(LOAN_APPLICATION.AMOUNT_REQUESTED, kept(LOAN_APPLICATION.AMOUNT_REQUESTED))
                .set(LOAN_APPLICATION.SUBMITTED_AT, kept(LOAN_APPLICATION.SUBMITTED_AT));
    }

    private static ArrayUpsert<ActivityCountChange> loanActivityCountUpsert(DSLContext sql) {
        return ArrayUpsert.<ActivityCountChange>into(LOAN_ACTIVITY_COUNT_PART)
                .column(LOAN_ACTIVITY_COUNT_PART.ACTIVITY, ActivityCountChange::activity)
                .column(LOAN_ACTIVITY_COUNT_PART.LIFECYCLE, ActivityCountChange::lifecycle)
                .column(LOAN_ACTIVITY_COUNT_PART.EVENTS, ActivityCountChange::events)
                .source(
                        LOAN_ACTIVITY_COUNT_PART.SOURCE_PARTITION,
                        LOAN_ACTIVITY_COUNT_PART.SOURCE_OFFSET,
                        ActivityCountChange::source)
                // The unique key treats null lifecycles as equal (NULLS NOT DISTINCT), so these columns infer it.
                .build(
                        sql,
                        insert -> insert.onConflict(
                                        LOAN_ACTIVITY_COUNT_PART.SOURCE_PARTITION,
                                        LOAN_ACTIVITY_COUNT_PART.ACTIVITY,
                                        LOAN_ACTIVITY_COUNT_PART.LIFECYCLE)
                                .doUpdate()
                                .set(
                                        LOAN_ACTIVITY_COUNT_PART.EVENTS,
                                        LOAN_ACTIVITY_COUNT_PART.EVENTS.plus(excluded(LOAN_ACTIVITY_COUNT_PART.EVENTS)))
                                .set(
                                        LOAN_ACTIVITY_COUNT_PART.SOURCE_OFFSET,
                                        excluded(LOAN_ACTIVITY_COUNT_PART.SOURCE_OFFSET))
                                .where(excluded(LOAN_ACTIVITY_COUNT_PART.SOURCE_OFFSET)
                                        .gt(LOAN_ACTIVITY_COUNT_PART.SOURCE_OFFSET)));
    }

    private static ArrayUpsert<HelpdeskTicketChange> helpdeskTicketUpsert(DSLContext sql) {
        ArrayUpsert.Builder<HelpdeskTicketChange> columns = ArrayUpsert.<HelpdeskTicketChange>into(HELPDESK_TICKET)
                .column(HELPDESK_TICKET.TICKET_ID, HelpdeskTicketChange::ticketId)
                .column(HELPDESK_TICKET.STATUS, HelpdeskTicketChange::status)
                .column(HELPDESK_TICKET.OPENED_AT, change -> utc(change.openedAt()));
        // A ticket's status is always that of its latest event; its opening time stays.
        return AggregateRowColumns.of(HELPDESK_TICKET)
                .upsert(
                        sql,
                        columns,
                        insert -> insert.onConflict(HELPDESK_TICKET.TICKET_ID)
                                .doUpdate()
                                .set(HELPDESK_TICKET.STATUS, excluded(HELPDESK_TICKET.STATUS)));
    }

    /** The stored value where there is one, else the batch's: the first value seen stays. */
    private static <V> Field<V> kept(Field<V> stored) {
        return coalesce(stored, excluded(stored));
    }

    /**
     * Whether the row to insert comes from a later event than the stored row: one of another partition (the aggregate
     * moved) or of a later offset in the same one. A replayed event is neither, so it changes nothing.
     */
    static Condition laterSource(Field<Integer> partition, Field<Long> offset) {
        return excluded(partition).ne(partition).or(excluded(offset).gt(offset));
    }

    /**
     * The rows in key order, whatever order they came in: two writers that lock the same rows then lock them in the
     * same order, so they queue briefly instead of deadlocking.
     */
    private static <T> List<T> sorted(List<T> rows, Comparator<T> order) {
        List<T> copy = new ArrayList<>(rows);
        copy.sort(order);
        return copy;
    }

    /**
     * The instant at UTC. Built from its epoch second, not with {@code OffsetDateTime.ofInstant}, which asks the offset
     * for its rules, and Java 17 makes a new {@code ZoneRules} for that on every call: once per time of every row.
     */
    static OffsetDateTime utc(Instant instant) {
        return instant == null
                ? null
                : OffsetDateTime.of(
                        LocalDateTime.ofEpochSecond(instant.getEpochSecond(), instant.getNano(), ZoneOffset.UTC),
                        ZoneOffset.UTC);
    }

    /**
     * Decides whose fault a failed statement is, by the class of its SQL state (the first two characters), and so
     * what the worker does about it.
     *
     * <ul>
     *   <li>The record's: {@code 22} data exception (a NUL character in a text, a time out of PostgreSQL's range),
     *       {@code 23} integrity constraint violation, {@code 54} program limit exceeded (an index row too large).
     *       The same rows are refused however often they are sent: a {@link ReadModelWriteException}, after which the
     *       worker applies the batch's records one at a time and sends the one refused alone to the dead letters.
     *   <li>Not the record's: everything else, whose cause passes or is an operator's to fix, never a reason to give
     *       a record up: {@code 08} connection, {@code 40} rollback (serialization, deadlock), {@code 53} insufficient
     *       resources (disk full), {@code 55} object not in prerequisite state, {@code 57} operator intervention
     *       (shutdown, cancelled statement), {@code 58} system error, {@code XX} internal error, {@code 42} a schema
     *       that does not match the code, and a failure without a SQL state. A {@link
     *       ReadModelUnavailableException}: the worker pauses and retries the same batch, as for an outage.
     * </ul>
     */
    static RuntimeException classify(String what, DataAccessException e) {
        String state = e.sqlState();
        if (!causedByLostConnection(e) && refusesTheRecord(state)) {
            return new ReadModelWriteException(what + " failed (SQL state " + state + ")", state, e);
        }
        return new ReadModelUnavailableException(
                what + " failed for a reason that is not the record's (SQL state " + state + "); retrying later", e);
    }

    /** Whether a SQL state says the database refuses the rows themselves: classes 22, 23 and 54. */
    static boolean refusesTheRecord(String sqlState) {
        return sqlState != null
                && (sqlState.startsWith("22") || sqlState.startsWith("23") || sqlState.startsWith("54"));
    }

    private static boolean causedByLostConnection(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof SQLTransientConnectionException
                    || cause instanceof SQLNonTransientConnectionException) {
                return true;
            }
            if (cause instanceof SQLException sqlException
                    && sqlException.getSQLState() != null
                    && sqlException.getSQLState().startsWith("08")) {
                return true;
            }
        }
        return false;
    }

    /**
     * The columns an aggregate's own row has whatever its type, and how a batch's change merges into them: the latest
     * time of the two, the counts added up, the version and source position of the later event, and nothing at all
     * when the stored row has seen the batch's last event already.
     */
    private record AggregateRowColumns(
            Field<OffsetDateTime> lastEventAt,
            Field<Long> eventCount,
            Field<Long> aggregateVersion,
            Field<Integer> partition,
            Field<Long> offset) {

        /** The columns of {@code table}, which every table of an aggregate's own rows names alike. */
        static AggregateRowColumns of(Table<?> table) {
            return new AggregateRowColumns(
                    column(table, "last_event_at", OffsetDateTime.class),
                    column(table, "event_count", Long.class),
                    column(table, "aggregate_version", Long.class),
                    column(table, "source_partition", Integer.class),
                    column(table, "source_offset", Long.class));
        }

        private static <V> Field<V> column(Table<?> table, String name, Class<V> type) {
            Field<?> field = table.field(name);
            if (field == null || field.getType() != type) {
                throw new IllegalArgumentException(
                        "table " + table.getName() + " has no column " + name + " of " + type.getSimpleName());
            }
            return field.coerce(type);
        }

        /**
         * The upsert of {@code own} columns and then these, merged by {@code ownMerge} and then by these rules, and
         * not at all when the stored row has seen the batch's last event.
         */
        <T extends AggregateRowChange> ArrayUpsert<T> upsert(
                DSLContext sql,
                ArrayUpsert.Builder<T> own,
                Function<InsertOnDuplicateStep<?>, InsertOnDuplicateSetMoreStep<?>> ownMerge) {
            own.column(lastEventAt, change -> utc(change.lastEventAt()))
                    .column(eventCount, AggregateRowChange::eventCount)
                    .column(aggregateVersion, AggregateRowChange::aggregateVersion)
                    .column(partition, AggregateRowChange::partition)
                    .column(offset, AggregateRowChange::lastOffset);
            return own.build(
                    sql,
                    insert -> ownMerge.apply(insert)
                            .set(lastEventAt, greatest(lastEventAt, excluded(lastEventAt)))
                            .set(eventCount, eventCount.plus(excluded(eventCount)))
                            .set(aggregateVersion, excluded(aggregateVersion))
                            .set(partition, excluded(partition))
                            .set(offset, excluded(offset))
                            .where(laterSource(partition, offset)));
        }
    }

    /** Thrown inside the transaction to roll it back when a partition's stored offset moved. */
    private static final class FencedBatch extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final int partition;

        FencedBatch(int partition) {
            super("stored offset of partition " + partition + " moved", null, false, false);
            this.partition = partition;
        }
    }
}
