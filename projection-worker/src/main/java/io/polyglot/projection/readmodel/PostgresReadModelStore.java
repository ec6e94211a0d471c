package io.polyglot.projection.readmodel;

import static io.polyglot.readmodel.jooq.projection.Tables.HELPDESK_TICKET;
import static io.polyglot.readmodel.jooq.projection.Tables.LOAN_ACTIVITY_COUNT_PART;
import static io.polyglot.readmodel.jooq.projection.Tables.LOAN_APPLICATION;
import static io.polyglot.readmodel.jooq.projection.Tables.PROJECTION_OFFSETS;
import static org.jooq.impl.DSL.coalesce;
import static org.jooq.impl.DSL.excluded;
import static org.jooq.impl.DSL.greatest;

import io.polyglot.projection.BatchPause;
import io.polyglot.projection.ReadModelStore;
import io.polyglot.projection.ReadModelUnavailableException;
import io.polyglot.projection.ReadModelWriteException;
import io.polyglot.projection.domain.ActivityCountChange;
import io.polyglot.projection.domain.HelpdeskTicketChange;
import io.polyglot.projection.domain.LoanApplicationChange;
import io.polyglot.projection.domain.PartitionAdvance;
import io.polyglot.projection.domain.ReadModelBatch;
import io.polyglot.readmodel.jooq.projection.tables.records.HelpdeskTicketRecord;
import io.polyglot.readmodel.jooq.projection.tables.records.LoanActivityCountPartRecord;
import io.polyglot.readmodel.jooq.projection.tables.records.LoanApplicationRecord;
import io.polyglot.readmodel.jooq.projection.tables.records.ProjectionOffsetsRecord;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import javax.sql.DataSource;
import org.jooq.DSLContext;
import org.jooq.InsertValuesStep4;
import org.jooq.InsertValuesStep5;
import org.jooq.InsertValuesStep8;
import org.jooq.InsertValuesStep9;
import org.jooq.SQLDialect;
import org.jooq.exception.DataAccessException;
import org.jooq.impl.DSL;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The read model in PostgreSQL, written with jOOQ. A batch is one transaction: first the conditional offset update of
 * each partition (which fences a stale instance before it touches a row), then one multi-row upsert per table, rows
 * in key order. Every row remembers the source partition and offset of the last event folded into it, and an upsert
 * leaves a row alone when it has seen that event already, so replaying an applied batch changes nothing.
 */
public final class PostgresReadModelStore implements ReadModelStore {

    private static final Logger log = LoggerFactory.getLogger(PostgresReadModelStore.class);

    /** Rows per statement: keeps the bind values of the widest table well under PostgreSQL's limit of 32,767. */
    static final int ROWS_PER_STATEMENT = 1_000;

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

    public PostgresReadModelStore(DataSource dataSource, String consumerGroup) {
        this(DSL.using(dataSource, SQLDialect.POSTGRES), consumerGroup, BatchPause.NONE);
    }

    public PostgresReadModelStore(DataSource dataSource, String consumerGroup, BatchPause pause) {
        this(DSL.using(dataSource, SQLDialect.POSTGRES), consumerGroup, pause);
    }

    /**
     * A store on {@code sql}, which must speak PostgreSQL: the upserts rely on {@code ON CONFLICT} and {@code
     * RETURNING}, which jOOQ would emulate for other dialects with statements whose counts mean something else.
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
                return sql.transactionResult(configuration -> {
                    DSLContext transaction = DSL.using(configuration);
                    pause.reached(BatchPause.Point.TRANSACTION_STARTED);
                    advanceOffsets(transaction, batch);
                    upsertLoanApplications(transaction, sorted(batch.loanApplications(), LOAN_APPLICATION_ORDER));
                    upsertLoanActivityCounts(transaction, sorted(batch.loanActivityCounts(), ACTIVITY_COUNT_ORDER));
                    upsertHelpdeskTickets(transaction, sorted(batch.helpdeskTickets(), HELPDESK_TICKET_ORDER));
                    RealLogUpserts.write(transaction, batch.realLogs());
                    pause.reached(BatchPause.Point.BEFORE_COMMIT);
                    return new Applied();
                });
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
     * Moves each partition's stored offset, only from the offset the batch started from. Partitions with no stored
     * offset yet get theirs in one multi-row insert that ignores rows already there; which rows it inserted comes back
     * through {@code RETURNING}, never from an update count, which drivers may report as unknown.
     */
    private void advanceOffsets(DSLContext transaction, ReadModelBatch batch) {
        List<PartitionAdvance> firsts = new ArrayList<>();
        for (PartitionAdvance advance : batch.advances()) {
            if (advance.expected().isEmpty()) {
                firsts.add(advance);
                continue;
            }
            int changed = transaction
                    .update(PROJECTION_OFFSETS)
                    .set(PROJECTION_OFFSETS.NEXT_OFFSET, advance.next())
                    .where(PROJECTION_OFFSETS.CONSUMER_GROUP.eq(consumerGroup))
                    .and(PROJECTION_OFFSETS.TOPIC.eq(batch.topic()))
                    .and(PROJECTION_OFFSETS.PARTITION.eq(advance.partition()))
                    .and(PROJECTION_OFFSETS.NEXT_OFFSET.eq(advance.expected().getAsLong()))
                    .execute();
            if (changed != 1) {
                throw new FencedBatch(advance.partition());
            }
        }
        if (firsts.isEmpty()) {
            return;
        }
        InsertValuesStep4<ProjectionOffsetsRecord, String, String, Integer, Long> insert = transaction.insertInto(
                PROJECTION_OFFSETS,
                PROJECTION_OFFSETS.CONSUMER_GROUP,
                PROJECTION_OFFSETS.TOPIC,
                PROJECTION_OFFSETS.PARTITION,
                PROJECTION_OFFSETS.NEXT_OFFSET);
        for (PartitionAdvance advance : firsts) {
            insert = insert.values(consumerGroup, batch.topic(), advance.partition(), advance.next());
        }
        Set<Integer> inserted = new HashSet<>(insert.onConflictDoNothing()
                .returningResult(PROJECTION_OFFSETS.PARTITION)
                .fetch(PROJECTION_OFFSETS.PARTITION));
        for (PartitionAdvance advance : firsts) {
            if (!inserted.contains(advance.partition())) {
                throw new FencedBatch(advance.partition());
            }
        }
    }

    private static void upsertLoanApplications(DSLContext transaction, List<LoanApplicationChange> changes) {
        for (List<LoanApplicationChange> chunk : chunks(changes)) {
            InsertValuesStep9<
                            LoanApplicationRecord,
                            String,
                            String,
                            java.math.BigDecimal,
                            OffsetDateTime,
                            OffsetDateTime,
                            Long,
                            Long,
                            Integer,
                            Long>
                    insert = transaction.insertInto(
                            LOAN_APPLICATION,
                            LOAN_APPLICATION.APPLICATION_ID,
                            LOAN_APPLICATION.STATUS,
                            LOAN_APPLICATION.AMOUNT_REQUESTED,
                            LOAN_APPLICATION.SUBMITTED_AT,
                            LOAN_APPLICATION.LAST_EVENT_AT,
                            LOAN_APPLICATION.EVENT_COUNT,
                            LOAN_APPLICATION.AGGREGATE_VERSION,
                            LOAN_APPLICATION.SOURCE_PARTITION,
                            LOAN_APPLICATION.SOURCE_OFFSET);
            for (LoanApplicationChange change : chunk) {
                insert = insert.values(
                        change.applicationId(),
                        change.status(),
                        change.amountRequested(),
                        utc(change.submittedAt()),
                        utc(change.lastEventAt()),
                        change.eventCount(),
                        change.aggregateVersion(),
                        change.partition(),
                        change.lastOffset());
            }
            insert.onConflict(LOAN_APPLICATION.APPLICATION_ID)
                    .doUpdate()
                    .set(LOAN_APPLICATION.STATUS, coalesce(excluded(LOAN_APPLICATION.STATUS), LOAN_APPLICATION.STATUS))
                    .set(
                            LOAN_APPLICATION.AMOUNT_REQUESTED,
                            coalesce(LOAN_APPLICATION.AMOUNT_REQUESTED, excluded(LOAN_APPLICATION.AMOUNT_REQUESTED)))
                    .set(
                            LOAN_APPLICATION.SUBMITTED_AT,
                            coalesce(LOAN_APPLICATION.SUBMITTED_AT, excluded(LOAN_APPLICATION.SUBMITTED_AT)))
                    .set(
                            LOAN_APPLICATION.LAST_EVENT_AT,
                            greatest(LOAN_APPLICATION.LAST_EVENT_AT, excluded(LOAN_APPLICATION.LAST_EVENT_AT)))
                    .set(
                            LOAN_APPLICATION.EVENT_COUNT,
                            LOAN_APPLICATION.EVENT_COUNT.plus(excluded(LOAN_APPLICATION.EVENT_COUNT)))
                    .set(LOAN_APPLICATION.AGGREGATE_VERSION, excluded(LOAN_APPLICATION.AGGREGATE_VERSION))
                    .set(LOAN_APPLICATION.SOURCE_PARTITION, excluded(LOAN_APPLICATION.SOURCE_PARTITION))
                    .set(LOAN_APPLICATION.SOURCE_OFFSET, excluded(LOAN_APPLICATION.SOURCE_OFFSET))
                    .where(excluded(LOAN_APPLICATION.SOURCE_PARTITION)
                            .ne(LOAN_APPLICATION.SOURCE_PARTITION)
                            .or(excluded(LOAN_APPLICATION.SOURCE_OFFSET).gt(LOAN_APPLICATION.SOURCE_OFFSET)))
                    .execute();
        }
    }

    private static void upsertLoanActivityCounts(DSLContext transaction, List<ActivityCountChange> changes) {
        for (List<ActivityCountChange> chunk : chunks(changes)) {
            InsertValuesStep5<LoanActivityCountPartRecord, Integer, String, String, Long, Long> insert =
                    transaction.insertInto(
                            LOAN_ACTIVITY_COUNT_PART,
                            LOAN_ACTIVITY_COUNT_PART.SOURCE_PARTITION,
                            LOAN_ACTIVITY_COUNT_PART.ACTIVITY,
                            LOAN_ACTIVITY_COUNT_PART.LIFECYCLE,
                            LOAN_ACTIVITY_COUNT_PART.EVENTS,
                            LOAN_ACTIVITY_COUNT_PART.SOURCE_OFFSET);
            for (ActivityCountChange change : chunk) {
                insert = insert.values(
                        change.partition(),
                        change.activity(),
                        change.lifecycle(),
                        change.events(),
                        change.lastOffset());
            }
            // The unique key treats null lifecycles as equal (NULLS NOT DISTINCT), so these columns infer it.
            insert.onConflict(
                            LOAN_ACTIVITY_COUNT_PART.SOURCE_PARTITION,
                            LOAN_ACTIVITY_COUNT_PART.ACTIVITY,
                            LOAN_ACTIVITY_COUNT_PART.LIFECYCLE)
                    .doUpdate()
                    .set(
                            LOAN_ACTIVITY_COUNT_PART.EVENTS,
                            LOAN_ACTIVITY_COUNT_PART.EVENTS.plus(excluded(LOAN_ACTIVITY_COUNT_PART.EVENTS)))
                    .set(LOAN_ACTIVITY_COUNT_PART.SOURCE_OFFSET, excluded(LOAN_ACTIVITY_COUNT_PART.SOURCE_OFFSET))
                    .where(excluded(LOAN_ACTIVITY_COUNT_PART.SOURCE_OFFSET).gt(LOAN_ACTIVITY_COUNT_PART.SOURCE_OFFSET))
                    .execute();
        }
    }

    private static void upsertHelpdeskTickets(DSLContext transaction, List<HelpdeskTicketChange> changes) {
        for (List<HelpdeskTicketChange> chunk : chunks(changes)) {
            InsertValuesStep8<
                            HelpdeskTicketRecord,
                            String,
                            String,
                            OffsetDateTime,
                            OffsetDateTime,
                            Long,
                            Long,
                            Integer,
                            Long>
                    insert = transaction.insertInto(
                            HELPDESK_TICKET,
                            HELPDESK_TICKET.TICKET_ID,
                            HELPDESK_TICKET.STATUS,
                            HELPDESK_TICKET.OPENED_AT,
                            HELPDESK_TICKET.LAST_EVENT_AT,
                            HELPDESK_TICKET.EVENT_COUNT,
                            HELPDESK_TICKET.AGGREGATE_VERSION,
                            HELPDESK_TICKET.SOURCE_PARTITION,
                            HELPDESK_TICKET.SOURCE_OFFSET);
            for (HelpdeskTicketChange change : chunk) {
                insert = insert.values(
                        change.ticketId(),
                        change.status(),
                        utc(change.openedAt()),
                        utc(change.lastEventAt()),
                        change.eventCount(),
                        change.aggregateVersion(),
                        change.partition(),
                        change.lastOffset());
            }
            insert.onConflict(HELPDESK_TICKET.TICKET_ID)
                    .doUpdate()
                    .set(HELPDESK_TICKET.STATUS, excluded(HELPDESK_TICKET.STATUS))
                    .set(
                            HELPDESK_TICKET.LAST_EVENT_AT,
                            greatest(HELPDESK_TICKET.LAST_EVENT_AT, excluded(HELPDESK_TICKET.LAST_EVENT_AT)))
                    .set(
                            HELPDESK_TICKET.EVENT_COUNT,
                            HELPDESK_TICKET.EVENT_COUNT.plus(excluded(HELPDESK_TICKET.EVENT_COUNT)))
                    .set(HELPDESK_TICKET.AGGREGATE_VERSION, excluded(HELPDESK_TICKET.AGGREGATE_VERSION))
                    .set(HELPDESK_TICKET.SOURCE_PARTITION, excluded(HELPDESK_TICKET.SOURCE_PARTITION))
                    .set(HELPDESK_TICKET.SOURCE_OFFSET, excluded(HELPDESK_TICKET.SOURCE_OFFSET))
                    .where(excluded(HELPDESK_TICKET.SOURCE_PARTITION)
                            .ne(HELPDESK_TICKET.SOURCE_PARTITION)
                            .or(excluded(HELPDESK_TICKET.SOURCE_OFFSET).gt(HELPDESK_TICKET.SOURCE_OFFSET)))
                    .execute();
        }
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

    static <T> List<List<T>> chunks(List<T> rows) {
        int count = (rows.size() + ROWS_PER_STATEMENT - 1) / ROWS_PER_STATEMENT;
        return IntStream.range(0, count)
                .mapToObj(
                        i -> rows.subList(i * ROWS_PER_STATEMENT, Math.min(rows.size(), (i + 1) * ROWS_PER_STATEMENT)))
                .toList();
    }

    static OffsetDateTime utc(Instant instant) {
        return instant == null ? null : OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
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
