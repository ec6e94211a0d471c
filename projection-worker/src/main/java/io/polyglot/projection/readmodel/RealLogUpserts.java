package io.polyglot.projection.readmodel;

import static io.polyglot.projection.readmodel.PostgresReadModelStore.laterSource;
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
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Table;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;

/**
 * Writes the read models of the real logs inside a batch's transaction. Offers, work items and ticket events depend
 * on what earlier batches stored (the latest created offer, the open START, a ticket's last event): for each of them
 * one statement reads that state for every aggregate of the batch, the domain resolves the batch's changes against
 * it, and one upsert per table writes the result, rows in key order, bound as arrays ({@link ArrayUpsert}). The
 * stored state is read after the batch's conditional offset update, which holds the partition's offset row until the
 * commit, so no other instance can change it in between.
 */
final class RealLogUpserts {

    private static final String BATCH = "batch";
    private static final String BATCH_ID_COLUMN = "id";
    private static final Field<String> BATCH_ID = DSL.field(DSL.name(BATCH, BATCH_ID_COLUMN), String.class);

    private final ArrayUpsert<LoanOfferRow> loanOffers;
    private final ArrayUpsert<LoanWorkItemRow> loanWorkItems;
    private final ArrayUpsert<LoanWorkItemState> loanWorkItemStates;
    private final ArrayUpsert<LoanStageChange> loanStages;
    private final ArrayUpsert<HelpdeskEventRow> helpdeskEvents;
    private final ArrayUpsert<WeatherDayChange> weatherDays;

    /** Renders the upserts once, with the settings of {@code sql}. */
    RealLogUpserts(DSLContext sql) {
        loanOffers = loanOfferUpsert(sql);
        loanWorkItems = loanWorkItemUpsert(sql);
        loanWorkItemStates = loanWorkItemStateUpsert(sql);
        loanStages = loanStageUpsert(sql);
        helpdeskEvents = helpdeskEventUpsert(sql);
        weatherDays = weatherDayUpsert(sql);
    }

    void write(DSLContext transaction, RealLogChanges changes) {
        writeLoanOffers(transaction, changes.loanOffers());
        writeLoanWorkItems(transaction, changes.loanWorkItems());
        loanStages.write(transaction, changes.loanStages());
        writeHelpdeskEvents(transaction, changes.helpdeskEvents());
        weatherDays.write(transaction, changes.weatherDays());
    }

    private void writeLoanOffers(DSLContext transaction, List<LoanOfferChange> changes) {
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
        loanOffers.write(transaction, rows);
    }

    /** A resolved offer is the whole row: it replaces what is stored. */
    private static ArrayUpsert<LoanOfferRow> loanOfferUpsert(DSLContext sql) {
        return ArrayUpsert.<LoanOfferRow>into(LOAN_OFFER)
                .column(LOAN_OFFER.APPLICATION_ID, LoanOfferRow::applicationId)
                .column(LOAN_OFFER.OFFER_NO, LoanOfferRow::offerNo)
                .column(LOAN_OFFER.STATUS, LoanOfferRow::status)
                .column(LOAN_OFFER.CREATED_AT, row -> utc(row.createdAt()))
                .column(LOAN_OFFER.DECIDED_AT, row -> utc(row.decidedAt()))
                .source(LOAN_OFFER.SOURCE_PARTITION, LOAN_OFFER.SOURCE_OFFSET, LoanOfferRow::source)
                .build(
                        sql,
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

    private void writeLoanWorkItems(DSLContext transaction, List<LoanWorkItemChange> changes) {
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
        loanWorkItems.write(transaction, rows);
        loanWorkItemStates.write(transaction, states);
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

    /** A work item stored already is a START of an earlier batch that this batch completes: only that changes. */
    private static ArrayUpsert<LoanWorkItemRow> loanWorkItemUpsert(DSLContext sql) {
        return ArrayUpsert.<LoanWorkItemRow>into(LOAN_WORK_ITEM)
                .column(LOAN_WORK_ITEM.APPLICATION_ID, LoanWorkItemRow::applicationId)
                .column(LOAN_WORK_ITEM.WORK_ITEM, LoanWorkItemRow::workItem)
                .column(LOAN_WORK_ITEM.START_PARTITION, row -> row.start().partition())
                .column(LOAN_WORK_ITEM.START_OFFSET, row -> row.start().offset())
                .column(LOAN_WORK_ITEM.SCHEDULED_AT, row -> utc(row.scheduledAt()))
                .column(LOAN_WORK_ITEM.STARTED_AT, row -> utc(row.startedAt()))
                .column(LOAN_WORK_ITEM.COMPLETED_AT, row -> utc(row.completedAt()))
                .column(LOAN_WORK_ITEM.SOURCE_OFFSET, LoanWorkItemRow::lastOffset)
                .build(
                        sql,
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

    private static ArrayUpsert<LoanWorkItemState> loanWorkItemStateUpsert(DSLContext sql) {
        return ArrayUpsert.<LoanWorkItemState>into(LOAN_WORK_ITEM_STATE)
                .column(LOAN_WORK_ITEM_STATE.APPLICATION_ID, LoanWorkItemState::applicationId)
                .column(LOAN_WORK_ITEM_STATE.WORK_ITEM, LoanWorkItemState::workItem)
                .column(
                        LOAN_WORK_ITEM_STATE.OPEN_START_OFFSET,
                        state -> state.openStart() == null
                                ? null
                                : state.openStart().offset())
                .column(LOAN_WORK_ITEM_STATE.OPEN_STARTED_AT, state -> utc(state.openStartedAt()))
                .column(LOAN_WORK_ITEM_STATE.LAST_SCHEDULED_AT, state -> utc(state.lastScheduledAt()))
                .source(
                        LOAN_WORK_ITEM_STATE.SOURCE_PARTITION,
                        LOAN_WORK_ITEM_STATE.SOURCE_OFFSET,
                        LoanWorkItemState::source)
                .build(
                        sql,
                        insert -> insert.onConflict(LOAN_WORK_ITEM_STATE.APPLICATION_ID, LOAN_WORK_ITEM_STATE.WORK_ITEM)
                                .doUpdate()
                                .set(
                                        LOAN_WORK_ITEM_STATE.OPEN_START_OFFSET,
                                        excluded(LOAN_WORK_ITEM_STATE.OPEN_START_OFFSET))
                                .set(
                                        LOAN_WORK_ITEM_STATE.OPEN_STARTED_AT,
                                        excluded(LOAN_WORK_ITEM_STATE.OPEN_STARTED_AT))
                                .set(
                                        LOAN_WORK_ITEM_STATE.LAST_SCHEDULED_AT,
                                        excluded(LOAN_WORK_ITEM_STATE.LAST_SCHEDULED_AT))
                                .set(
                                        LOAN_WORK_ITEM_STATE.SOURCE_PARTITION,
                                        excluded(LOAN_WORK_ITEM_STATE.SOURCE_PARTITION))
                                .set(LOAN_WORK_ITEM_STATE.SOURCE_OFFSET, excluded(LOAN_WORK_ITEM_STATE.SOURCE_OFFSET)));
    }

    /** The first occurrence by position is the first one stored: a later one, or a replay, changes nothing. */
    private static ArrayUpsert<LoanStageChange> loanStageUpsert(DSLContext sql) {
        return ArrayUpsert.<LoanStageChange>into(LOAN_STAGE_REACHED)
                .column(LOAN_STAGE_REACHED.APPLICATION_ID, LoanStageChange::applicationId)
                .column(LOAN_STAGE_REACHED.STAGE, LoanStageChange::stage)
                .column(LOAN_STAGE_REACHED.FIRST_AT, change -> utc(change.firstAt()))
                .source(LOAN_STAGE_REACHED.SOURCE_PARTITION, LOAN_STAGE_REACHED.SOURCE_OFFSET, LoanStageChange::source)
                .build(sql, insert -> insert.onConflictDoNothing());
    }

    private void writeHelpdeskEvents(DSLContext transaction, List<HelpdeskEventsChange> changes) {
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
        helpdeskEvents.write(transaction, rows);
    }

    /** A ticket event stored already is the ticket's previous last event: only its next event's time is new. */
    private static ArrayUpsert<HelpdeskEventRow> helpdeskEventUpsert(DSLContext sql) {
        return ArrayUpsert.<HelpdeskEventRow>into(HELPDESK_TICKET_EVENT)
                .column(HELPDESK_TICKET_EVENT.TICKET_ID, HelpdeskEventRow::ticketId)
                .source(
                        HELPDESK_TICKET_EVENT.SOURCE_PARTITION,
                        HELPDESK_TICKET_EVENT.SOURCE_OFFSET,
                        HelpdeskEventRow::source)
                .column(HELPDESK_TICKET_EVENT.ACTIVITY, HelpdeskEventRow::activity)
                .column(HELPDESK_TICKET_EVENT.OCCURRED_AT, row -> utc(row.occurredAt()))
                .column(HELPDESK_TICKET_EVENT.NEXT_OCCURRED_AT, row -> utc(row.nextOccurredAt()))
                .build(
                        sql,
                        insert -> insert.onConflict(
                                        HELPDESK_TICKET_EVENT.TICKET_ID,
                                        HELPDESK_TICKET_EVENT.SOURCE_PARTITION,
                                        HELPDESK_TICKET_EVENT.SOURCE_OFFSET)
                                .doUpdate()
                                .set(
                                        HELPDESK_TICKET_EVENT.NEXT_OCCURRED_AT,
                                        excluded(HELPDESK_TICKET_EVENT.NEXT_OCCURRED_AT))
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

    /** least and greatest pass over nulls; a sum stays null only while both sides are. */
    private static ArrayUpsert<WeatherDayChange> weatherDayUpsert(DSLContext sql) {
        return ArrayUpsert.<WeatherDayChange>into(WEATHER_DAY)
                .column(WEATHER_DAY.STATION, WeatherDayChange::station)
                .column(WEATHER_DAY.DAY, WeatherDayChange::day)
                .column(WEATHER_DAY.READINGS, WeatherDayChange::readings)
                .column(WEATHER_DAY.TEMP_READINGS, WeatherDayChange::tempReadings)
                .column(WEATHER_DAY.TEMP_SUM, WeatherDayChange::tempSum)
                .column(WEATHER_DAY.TEMP_MIN, WeatherDayChange::tempMin)
                .column(WEATHER_DAY.TEMP_MAX, WeatherDayChange::tempMax)
                .column(WEATHER_DAY.PRECIP_SUM, WeatherDayChange::precipSum)
                .source(WEATHER_DAY.SOURCE_PARTITION, WEATHER_DAY.SOURCE_OFFSET, WeatherDayChange::source)
                .build(
                        sql,
                        insert -> insert.onConflict(WEATHER_DAY.STATION, WEATHER_DAY.DAY)
                                .doUpdate()
                                .set(WEATHER_DAY.READINGS, WEATHER_DAY.READINGS.plus(excluded(WEATHER_DAY.READINGS)))
                                .set(
                                        WEATHER_DAY.TEMP_READINGS,
                                        WEATHER_DAY.TEMP_READINGS.plus(excluded(WEATHER_DAY.TEMP_READINGS)))
                                .set(WEATHER_DAY.TEMP_SUM, sum(WEATHER_DAY.TEMP_SUM))
                                .set(WEATHER_DAY.TEMP_MIN, least(WEATHER_DAY.TEMP_MIN, excluded(WEATHER_DAY.TEMP_MIN)))
                                .set(
                                        WEATHER_DAY.TEMP_MAX,
                                        greatest(WEATHER_DAY.TEMP_MAX, excluded(WEATHER_DAY.TEMP_MAX)))
                                .set(WEATHER_DAY.PRECIP_SUM, sum(WEATHER_DAY.PRECIP_SUM))
                                .set(WEATHER_DAY.SOURCE_PARTITION, excluded(WEATHER_DAY.SOURCE_PARTITION))
                                .set(WEATHER_DAY.SOURCE_OFFSET, excluded(WEATHER_DAY.SOURCE_OFFSET))
                                .where(laterSource(WEATHER_DAY.SOURCE_PARTITION, WEATHER_DAY.SOURCE_OFFSET)));
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

    private static Instant instant(OffsetDateTime time) {
        return time == null ? null : time.toInstant();
    }
}
