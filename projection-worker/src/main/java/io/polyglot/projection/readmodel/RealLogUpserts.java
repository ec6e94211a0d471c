package io.polyglot.projection.readmodel;

import static io.polyglot.projection.readmodel.PostgresReadModelStore.chunks;
import static io.polyglot.projection.readmodel.PostgresReadModelStore.utc;
import static io.polyglot.readmodel.jooq.projection.Tables.HELPDESK_TICKET_EVENT;
import static io.polyglot.readmodel.jooq.projection.Tables.LOAN_OFFER;
import static io.polyglot.readmodel.jooq.projection.Tables.LOAN_STAGE_REACHED;
import static io.polyglot.readmodel.jooq.projection.Tables.LOAN_WORK_ITEM;
import static io.polyglot.readmodel.jooq.projection.Tables.LOAN_WORK_ITEM_STATE;
import static io.polyglot.readmodel.jooq.projection.Tables.WEATHER_DAY;
import static org.jooq.impl.DSL.coalesce;
import static org.jooq.impl.DSL.excluded;
import static org.jooq.impl.DSL.greatest;
import static org.jooq.impl.DSL.least;
import static org.jooq.impl.DSL.unnest;

import io.polyglot.projection.domain.HelpdeskEventRow;
import io.polyglot.projection.domain.HelpdeskEventsChange;
import io.polyglot.projection.domain.LoanOfferChange;
import io.polyglot.projection.domain.LoanOfferRow;
import io.polyglot.projection.domain.LoanStageChange;
import io.polyglot.projection.domain.LoanWorkItemChange;
import io.polyglot.projection.domain.LoanWorkItemRow;
import io.polyglot.projection.domain.LoanWorkItemState;
import io.polyglot.projection.domain.RealLogChanges;
import io.polyglot.projection.domain.SourcePosition;
import io.polyglot.projection.domain.WeatherDayChange;
import io.polyglot.readmodel.jooq.projection.tables.records.HelpdeskTicketEventRecord;
import io.polyglot.readmodel.jooq.projection.tables.records.LoanOfferRecord;
import io.polyglot.readmodel.jooq.projection.tables.records.LoanWorkItemStateRecord;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.InsertValuesStepN;
import org.jooq.Query;
import org.jooq.Table;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;

/**
 * Writes the read models of the real logs inside a batch's transaction. Offers, work items and ticket events depend
 * on what earlier batches stored (the latest created offer, the open START, a ticket's last event): for each of them
 * one statement reads that state for every aggregate of the batch, the domain resolves the batch's changes against
 * it, and one multi-row upsert per table writes the result, rows in key order. The stored state is read after the
 * batch's conditional offset update, which holds the partition's offset row until the commit, so no other instance
 * can change it in between.
 */
final class RealLogUpserts {

    private static final String BATCH = "batch";
    private static final String BATCH_ID_COLUMN = "id";
    private static final Field<String> BATCH_ID = DSL.field(DSL.name(BATCH, BATCH_ID_COLUMN), String.class);

    private RealLogUpserts() {}

    static void write(DSLContext transaction, RealLogChanges changes) {
        writeLoanOffers(transaction, changes.loanOffers());
        writeLoanWorkItems(transaction, changes.loanWorkItems());
        writeLoanStages(transaction, changes.loanStages());
        writeHelpdeskEvents(transaction, changes.helpdeskEvents());
        writeWeatherDays(transaction, changes.weatherDays());
    }

    private static void writeLoanOffers(DSLContext transaction, List<LoanOfferChange> changes) {
        if (changes.isEmpty()) {
            return;
        }
        String[] ids = changes.stream().map(LoanOfferChange::applicationId).toArray(String[]::new);
        Map<String, LoanOfferRow> latest = new HashMap<>();
        transaction
                .selectDistinct(LOAN_OFFER.fields())
                .on(LOAN_OFFER.APPLICATION_ID)
                .from(batchIds(ids))
                .join(LOAN_OFFER)
                .on(LOAN_OFFER.APPLICATION_ID.eq(BATCH_ID))
                .orderBy(LOAN_OFFER.APPLICATION_ID, LOAN_OFFER.OFFER_NO.desc())
                .fetchInto(LoanOfferRecord.class)
                .forEach(row -> latest.put(row.getApplicationId(), offer(row)));
        List<LoanOfferRow> rows = new ArrayList<>();
        for (LoanOfferChange change : changes) {
            rows.addAll(change.resolve(latest.get(change.applicationId())));
        }
        // A resolved row is the whole row: it replaces what is stored.
        upsert(
                transaction,
                rows,
                LOAN_OFFER,
                List.of(
                        LOAN_OFFER.APPLICATION_ID,
                        LOAN_OFFER.OFFER_NO,
                        LOAN_OFFER.STATUS,
                        LOAN_OFFER.CREATED_AT,
                        LOAN_OFFER.DECIDED_AT,
                        LOAN_OFFER.SOURCE_PARTITION,
                        LOAN_OFFER.SOURCE_OFFSET),
                row -> new Object[] {
                    row.applicationId(),
                    row.offerNo(),
                    row.status(),
                    utc(row.createdAt()),
                    utc(row.decidedAt()),
                    row.source().partition(),
                    row.source().offset()
                },
                insert -> insert.onConflict(LOAN_OFFER.APPLICATION_ID, LOAN_OFFER.OFFER_NO)
                        .doUpdate()
                        .set(LOAN_OFFER.STATUS, excluded(LOAN_OFFER.STATUS))
                        .set(LOAN_OFFER.DECIDED_AT, excluded(LOAN_OFFER.DECIDED_AT))
                        .set(LOAN_OFFER.SOURCE_PARTITION, excluded(LOAN_OFFER.SOURCE_PARTITION))
                        .set(LOAN_OFFER.SOURCE_OFFSET, excluded(LOAN_OFFER.SOURCE_OFFSET)));
    }

    private static LoanOfferRow offer(LoanOfferRecord row) {
        return new LoanOfferRow(
                row.getApplicationId(),
                row.getOfferNo(),
                row.getStatus(),
                instant(row.getCreatedAt()),
                instant(row.getDecidedAt()),
                new SourcePosition(row.getSourcePartition(), row.getSourceOffset()));
    }

    private static void writeLoanWorkItems(DSLContext transaction, List<LoanWorkItemChange> changes) {
        if (changes.isEmpty()) {
            return;
        }
        String[] ids = changes.stream()
                .map(LoanWorkItemChange::applicationId)
                .distinct()
                .toArray(String[]::new);
        Map<List<String>, LoanWorkItemState> stored = new HashMap<>();
        transaction
                .select(LOAN_WORK_ITEM_STATE.fields())
                .from(batchIds(ids))
                .join(LOAN_WORK_ITEM_STATE)
                .on(LOAN_WORK_ITEM_STATE.APPLICATION_ID.eq(BATCH_ID))
                .fetchInto(LOAN_WORK_ITEM_STATE)
                .forEach(row -> stored.put(List.of(row.getApplicationId(), row.getWorkItem()), workItemState(row)));
        List<LoanWorkItemRow> rows = new ArrayList<>();
        List<LoanWorkItemState> states = new ArrayList<>();
        for (LoanWorkItemChange change : changes) {
            LoanWorkItemChange.Resolved resolved =
                    change.resolve(stored.get(List.of(change.applicationId(), change.workItem())));
            rows.addAll(resolved.rows());
            if (resolved.state() != null) {
                states.add(resolved.state());
            }
        }
        upsertWorkItemRows(transaction, rows);
        upsertWorkItemStates(transaction, states);
    }

    private static LoanWorkItemState workItemState(LoanWorkItemStateRecord row) {
        SourcePosition source = new SourcePosition(row.getSourcePartition(), row.getSourceOffset());
        SourcePosition openStart = row.getOpenStartOffset() == null
                ? null
                : new SourcePosition(row.getSourcePartition(), row.getOpenStartOffset());
        return new LoanWorkItemState(
                row.getApplicationId(),
                row.getWorkItem(),
                openStart,
                instant(row.getOpenStartedAt()),
                instant(row.getLastScheduledAt()),
                source);
    }

    private static void upsertWorkItemRows(DSLContext transaction, List<LoanWorkItemRow> rows) {
        // A row stored already is a START of an earlier batch that this batch completes: only that changes.
        upsert(
                transaction,
                rows,
                LOAN_WORK_ITEM,
                List.of(
                        LOAN_WORK_ITEM.APPLICATION_ID,
                        LOAN_WORK_ITEM.WORK_ITEM,
                        LOAN_WORK_ITEM.START_PARTITION,
                        LOAN_WORK_ITEM.START_OFFSET,
                        LOAN_WORK_ITEM.SCHEDULED_AT,
                        LOAN_WORK_ITEM.STARTED_AT,
                        LOAN_WORK_ITEM.COMPLETED_AT,
                        LOAN_WORK_ITEM.SOURCE_OFFSET),
                row -> new Object[] {
                    row.applicationId(),
                    row.workItem(),
                    row.start().partition(),
                    row.start().offset(),
                    utc(row.scheduledAt()),
                    utc(row.startedAt()),
                    utc(row.completedAt()),
                    row.lastOffset()
                },
                insert -> insert.onConflict(
                                LOAN_WORK_ITEM.APPLICATION_ID,
                                LOAN_WORK_ITEM.WORK_ITEM,
                                LOAN_WORK_ITEM.START_PARTITION,
                                LOAN_WORK_ITEM.START_OFFSET)
                        .doUpdate()
                        .set(LOAN_WORK_ITEM.COMPLETED_AT, excluded(LOAN_WORK_ITEM.COMPLETED_AT))
                        .set(LOAN_WORK_ITEM.SOURCE_OFFSET, excluded(LOAN_WORK_ITEM.SOURCE_OFFSET))
                        .where(LOAN_WORK_ITEM.COMPLETED_AT.isNull()));
    }

    private static void upsertWorkItemStates(DSLContext transaction, List<LoanWorkItemState> states) {
        upsert(
                transaction,
                states,
                LOAN_WORK_ITEM_STATE,
                List.of(
                        LOAN_WORK_ITEM_STATE.APPLICATION_ID,
                        LOAN_WORK_ITEM_STATE.WORK_ITEM,
                        LOAN_WORK_ITEM_STATE.OPEN_START_OFFSET,
                        LOAN_WORK_ITEM_STATE.OPEN_STARTED_AT,
                        LOAN_WORK_ITEM_STATE.LAST_SCHEDULED_AT,
                        LOAN_WORK_ITEM_STATE.SOURCE_PARTITION,
                        LOAN_WORK_ITEM_STATE.SOURCE_OFFSET),
                state -> new Object[] {
                    state.applicationId(),
                    state.workItem(),
                    state.openStart() == null ? null : state.openStart().offset(),
                    utc(state.openStartedAt()),
                    utc(state.lastScheduledAt()),
                    state.source().partition(),
                    state.source().offset()
                },
                insert -> insert.onConflict(LOAN_WORK_ITEM_STATE.APPLICATION_ID, LOAN_WORK_ITEM_STATE.WORK_ITEM)
                        .doUpdate()
                        .set(LOAN_WORK_ITEM_STATE.OPEN_START_OFFSET, excluded(LOAN_WORK_ITEM_STATE.OPEN_START_OFFSET))
                        .set(LOAN_WORK_ITEM_STATE.OPEN_STARTED_AT, excluded(LOAN_WORK_ITEM_STATE.OPEN_STARTED_AT))
                        .set(LOAN_WORK_ITEM_STATE.LAST_SCHEDULED_AT, excluded(LOAN_WORK_ITEM_STATE.LAST_SCHEDULED_AT))
                        .set(LOAN_WORK_ITEM_STATE.SOURCE_PARTITION, excluded(LOAN_WORK_ITEM_STATE.SOURCE_PARTITION))
                        .set(LOAN_WORK_ITEM_STATE.SOURCE_OFFSET, excluded(LOAN_WORK_ITEM_STATE.SOURCE_OFFSET)));
    }

    private static void writeLoanStages(DSLContext transaction, List<LoanStageChange> changes) {
        // The first occurrence by position is the first one stored: a later one, or a replay, changes nothing.
        upsert(
                transaction,
                changes,
                LOAN_STAGE_REACHED,
                List.of(
                        LOAN_STAGE_REACHED.APPLICATION_ID,
                        LOAN_STAGE_REACHED.STAGE,
                        LOAN_STAGE_REACHED.FIRST_AT,
                        LOAN_STAGE_REACHED.SOURCE_PARTITION,
                        LOAN_STAGE_REACHED.SOURCE_OFFSET),
                change -> new Object[] {
                    change.applicationId(),
                    change.stage(),
                    utc(change.firstAt()),
                    change.source().partition(),
                    change.source().offset()
                },
                insert -> insert.onConflictDoNothing());
    }

    private static void writeHelpdeskEvents(DSLContext transaction, List<HelpdeskEventsChange> changes) {
        if (changes.isEmpty()) {
            return;
        }
        String[] ids = changes.stream().map(HelpdeskEventsChange::ticketId).toArray(String[]::new);
        Map<String, HelpdeskEventRow> last = new HashMap<>();
        transaction
                .select(HELPDESK_TICKET_EVENT.fields())
                .from(batchIds(ids))
                .join(HELPDESK_TICKET_EVENT)
                .on(HELPDESK_TICKET_EVENT.TICKET_ID.eq(BATCH_ID))
                .where(HELPDESK_TICKET_EVENT.NEXT_OCCURRED_AT.isNull())
                .fetchInto(HELPDESK_TICKET_EVENT)
                .forEach(row -> last.merge(row.getTicketId(), ticketEvent(row), RealLogUpserts::later));
        List<HelpdeskEventRow> rows = new ArrayList<>();
        for (HelpdeskEventsChange change : changes) {
            rows.addAll(change.resolve(last.get(change.ticketId())));
        }
        // A row stored already is the ticket's previous last event: only its next event's time is new.
        upsert(
                transaction,
                rows,
                HELPDESK_TICKET_EVENT,
                List.of(
                        HELPDESK_TICKET_EVENT.TICKET_ID,
                        HELPDESK_TICKET_EVENT.SOURCE_PARTITION,
                        HELPDESK_TICKET_EVENT.SOURCE_OFFSET,
                        HELPDESK_TICKET_EVENT.ACTIVITY,
                        HELPDESK_TICKET_EVENT.OCCURRED_AT,
                        HELPDESK_TICKET_EVENT.NEXT_OCCURRED_AT),
                row -> new Object[] {
                    row.ticketId(),
                    row.source().partition(),
                    row.source().offset(),
                    row.activity(),
                    utc(row.occurredAt()),
                    utc(row.nextOccurredAt())
                },
                insert -> insert.onConflict(
                                HELPDESK_TICKET_EVENT.TICKET_ID,
                                HELPDESK_TICKET_EVENT.SOURCE_PARTITION,
                                HELPDESK_TICKET_EVENT.SOURCE_OFFSET)
                        .doUpdate()
                        .set(HELPDESK_TICKET_EVENT.NEXT_OCCURRED_AT, excluded(HELPDESK_TICKET_EVENT.NEXT_OCCURRED_AT))
                        .where(HELPDESK_TICKET_EVENT.NEXT_OCCURRED_AT.isNull()));
    }

    private static HelpdeskEventRow ticketEvent(HelpdeskTicketEventRecord row) {
        return new HelpdeskEventRow(
                row.getTicketId(),
                new SourcePosition(row.getSourcePartition(), row.getSourceOffset()),
                row.getActivity(),
                instant(row.getOccurredAt()),
                null);
    }

    /** Of two rows without a next event (there is one per ticket unless its partition changed), the later one. */
    private static HelpdeskEventRow later(HelpdeskEventRow one, HelpdeskEventRow other) {
        return one.source().offset() >= other.source().offset() ? one : other;
    }

    private static void writeWeatherDays(DSLContext transaction, List<WeatherDayChange> changes) {
        // least and greatest pass over nulls; a sum stays null only while both sides are.
        upsert(
                transaction,
                changes,
                WEATHER_DAY,
                List.of(
                        WEATHER_DAY.STATION,
                        WEATHER_DAY.DAY,
                        WEATHER_DAY.READINGS,
                        WEATHER_DAY.TEMP_READINGS,
                        WEATHER_DAY.TEMP_SUM,
                        WEATHER_DAY.TEMP_MIN,
                        WEATHER_DAY.TEMP_MAX,
                        WEATHER_DAY.PRECIP_SUM,
                        WEATHER_DAY.SOURCE_PARTITION,
                        WEATHER_DAY.SOURCE_OFFSET),
                change -> new Object[] {
                    change.station(),
                    change.day(),
                    change.readings(),
                    change.tempReadings(),
                    change.tempSum(),
                    change.tempMin(),
                    change.tempMax(),
                    change.precipSum(),
                    change.source().partition(),
                    change.source().offset()
                },
                insert -> insert.onConflict(WEATHER_DAY.STATION, WEATHER_DAY.DAY)
                        .doUpdate()
                        .set(WEATHER_DAY.READINGS, WEATHER_DAY.READINGS.plus(excluded(WEATHER_DAY.READINGS)))
                        .set(
                                WEATHER_DAY.TEMP_READINGS,
                                WEATHER_DAY.TEMP_READINGS.plus(excluded(WEATHER_DAY.TEMP_READINGS)))
                        .set(WEATHER_DAY.TEMP_SUM, sum(WEATHER_DAY.TEMP_SUM))
                        .set(WEATHER_DAY.TEMP_MIN, least(WEATHER_DAY.TEMP_MIN, excluded(WEATHER_DAY.TEMP_MIN)))
                        .set(WEATHER_DAY.TEMP_MAX, greatest(WEATHER_DAY.TEMP_MAX, excluded(WEATHER_DAY.TEMP_MAX)))
                        .set(WEATHER_DAY.PRECIP_SUM, sum(WEATHER_DAY.PRECIP_SUM))
                        .set(WEATHER_DAY.SOURCE_PARTITION, excluded(WEATHER_DAY.SOURCE_PARTITION))
                        .set(WEATHER_DAY.SOURCE_OFFSET, excluded(WEATHER_DAY.SOURCE_OFFSET))
                        .where(excluded(WEATHER_DAY.SOURCE_PARTITION)
                                .ne(WEATHER_DAY.SOURCE_PARTITION)
                                .or(excluded(WEATHER_DAY.SOURCE_OFFSET).gt(WEATHER_DAY.SOURCE_OFFSET))));
    }

    /**
     * The batch's aggregate ids as a table, from one {@code text[]} bind. Joined to the state table, PostgreSQL looks
     * each id up by the key; {@code key = any(?)} over the same array made it scan and compare every stored row
     * with every id of the batch, which took most of a batch's time once the table held a few thousand rows.
     */
    private static Table<?> batchIds(String[] ids) {
        return unnest(DSL.val(ids, SQLDataType.CLOB.array())).as(BATCH, BATCH_ID_COLUMN);
    }

    private static Field<BigDecimal> sum(Field<BigDecimal> stored) {
        return coalesce(stored.plus(excluded(stored)), stored, excluded(stored));
    }

    /**
     * Writes rows with one multi-row insert per {@link PostgresReadModelStore#ROWS_PER_STATEMENT} rows, in the order
     * given, each insert finished by {@code onConflict}.
     */
    private static <T> void upsert(
            DSLContext transaction,
            List<T> rows,
            Table<?> table,
            List<Field<?>> fields,
            Function<T, Object[]> values,
            Function<InsertValuesStepN<?>, Query> onConflict) {
        for (List<T> chunk : chunks(rows)) {
            InsertValuesStepN<?> insert = transaction.insertInto(table, fields);
            for (T row : chunk) {
                insert = insert.values(values.apply(row));
            }
            onConflict.apply(insert).execute();
        }
    }

    private static Instant instant(OffsetDateTime time) {
        return time == null ? null : time.toInstant();
    }
}
