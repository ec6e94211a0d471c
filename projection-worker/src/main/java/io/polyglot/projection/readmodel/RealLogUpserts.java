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
import static org.jooq.impl.DSL.select;
import static org.jooq.impl.DSL.selectDistinct;

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
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jooq.DSLContext;
import org.jooq.Field;

/**
 * Writes the read models of the real logs inside a batch's transaction. Offers, work items and ticket events depend
 * on what earlier batches stored (the latest created offer, the open START, a ticket's last event): for each of them
 * one statement reads that state for every aggregate of the batch ({@link BatchRead}), the domain resolves the batch's
 * changes against it, and one upsert per table writes the result, rows in key order, bound as arrays ({@link
 * ArrayUpsert}). The stored state is read after the batch's conditional offset update, which holds the partition's
 * offset row until the commit, so no other instance can change it in between.
 */
final class RealLogUpserts {

    private final ArrayUpsert<LoanOfferRow> loanOffers;
    private final ArrayUpsert<LoanWorkItemRow> loanWorkItems;
    private final ArrayUpsert<LoanWorkItemState> loanWorkItemStates;
    private final ArrayUpsert<LoanStageChange> loanStages;
    private final ArrayUpsert<HelpdeskEventRow> helpdeskEvents;
    private final ArrayUpsert<WeatherDayChange> weatherDays;
    private final BatchRead<LoanOfferRow> latestOffers;
    private final BatchRead<LoanWorkItemState> workItemStates;
    private final BatchRead<HelpdeskEventRow> lastTicketEvents;

    /** Renders the reads and upserts once, with the settings of {@code sql}. */
    RealLogUpserts(DSLContext sql) {
        latestOffers = BatchRead.of(
                sql,
                ids -> selectDistinct(LOAN_OFFER.fields())
                        .on(LOAN_OFFER.APPLICATION_ID)
                        .from(ids)
                        .join(LOAN_OFFER)
                        .on(LOAN_OFFER.APPLICATION_ID.eq(BatchRead.ID_FIELD))
                        .orderBy(LOAN_OFFER.APPLICATION_ID, LOAN_OFFER.OFFER_NO.desc()),
                RealLogUpserts::offer);
        workItemStates = BatchRead.of(
                sql,
                ids -> select(LOAN_WORK_ITEM_STATE.fields())
                        .from(ids)
                        .join(LOAN_WORK_ITEM_STATE)
                        .on(LOAN_WORK_ITEM_STATE.APPLICATION_ID.eq(BatchRead.ID_FIELD)),
                RealLogUpserts::workItemState);
        lastTicketEvents = BatchRead.of(
                sql,
                ids -> select(HELPDESK_TICKET_EVENT.fields())
                        .from(ids)
                        .join(HELPDESK_TICKET_EVENT)
                        .on(HELPDESK_TICKET_EVENT.TICKET_ID.eq(BatchRead.ID_FIELD))
                        .where(HELPDESK_TICKET_EVENT.NEXT_OCCURRED_AT.isNull()),
                RealLogUpserts::ticketEvent);
        loanOffers = loanOfferUpsert(sql);
        loanWorkItems = loanWorkItemUpsert(sql);
        loanWorkItemStates = loanWorkItemStateUpsert(sql);
        loanStages = loanStageUpsert(sql);
        helpdeskEvents = helpdeskEventUpsert(sql);
        weatherDays = weatherDayUpsert(sql);
    }

    void write(Connection transaction, RealLogChanges changes) throws SQLException {
        writeLoanOffers(transaction, changes.loanOffers());
        writeLoanWorkItems(transaction, changes.loanWorkItems());
        loanStages.write(transaction, changes.loanStages());
        writeHelpdeskEvents(transaction, changes.helpdeskEvents());
        weatherDays.write(transaction, changes.weatherDays());
    }

    private void writeLoanOffers(Connection transaction, List<LoanOfferChange> changes) throws SQLException {
        if (changes.isEmpty()) {
            return;
        }
        String[] ids = changes.stream().map(LoanOfferChange::applicationId).toArray(String[]::new);
        Map<String, LoanOfferRow> latest = new HashMap<>();
        latestOffers.read(transaction, ids, offer -> latest.put(offer.applicationId(), offer));
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

    private static LoanOfferRow offer(BatchRead.Row row) throws SQLException {
        return new LoanOfferRow(
                row.get(LOAN_OFFER.APPLICATION_ID),
                row.get(LOAN_OFFER.OFFER_NO),
                row.get(LOAN_OFFER.STATUS),
                instant(row.get(LOAN_OFFER.CREATED_AT)),
                instant(row.get(LOAN_OFFER.DECIDED_AT)),
                new SourcePosition(row.get(LOAN_OFFER.SOURCE_PARTITION), row.get(LOAN_OFFER.SOURCE_OFFSET)));
    }

    private void writeLoanWorkItems(Connection transaction, List<LoanWorkItemChange> changes) throws SQLException {
        if (changes.isEmpty()) {
            return;
        }
        String[] ids = changes.stream()
                .map(LoanWorkItemChange::applicationId)
                .distinct()
                .toArray(String[]::new);
        Map<List<String>, LoanWorkItemState> stored = new HashMap<>();
        workItemStates.read(
                transaction, ids, state -> stored.put(List.of(state.applicationId(), state.workItem()), state));
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

    private static LoanWorkItemState workItemState(BatchRead.Row row) throws SQLException {
        int partition = row.get(LOAN_WORK_ITEM_STATE.SOURCE_PARTITION);
        SourcePosition source = new SourcePosition(partition, row.get(LOAN_WORK_ITEM_STATE.SOURCE_OFFSET));
        Long openStartOffset = row.get(LOAN_WORK_ITEM_STATE.OPEN_START_OFFSET);
        SourcePosition openStart = openStartOffset == null ? null : new SourcePosition(partition, openStartOffset);
        return new LoanWorkItemState(
                row.get(LOAN_WORK_ITEM_STATE.APPLICATION_ID),
                row.get(LOAN_WORK_ITEM_STATE.WORK_ITEM),
                openStart,
                instant(row.get(LOAN_WORK_ITEM_STATE.OPEN_STARTED_AT)),
                instant(row.get(LOAN_WORK_ITEM_STATE.LAST_SCHEDULED_AT)),
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

    private void writeHelpdeskEvents(Connection transaction, List<HelpdeskEventsChange> changes) throws SQLException {
        if (changes.isEmpty()) {
            return;
        }
        String[] ids = changes.stream().map(HelpdeskEventsChange::ticketId).toArray(String[]::new);
        Map<String, HelpdeskEventRow> last = new HashMap<>();
        lastTicketEvents.read(transaction, ids, event -> last.merge(event.ticketId(), event, RealLogUpserts::later));
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

    private static HelpdeskEventRow ticketEvent(BatchRead.Row row) throws SQLException {
        return new HelpdeskEventRow(
                row.get(HELPDESK_TICKET_EVENT.TICKET_ID),
                new SourcePosition(
                        row.get(HELPDESK_TICKET_EVENT.SOURCE_PARTITION), row.get(HELPDESK_TICKET_EVENT.SOURCE_OFFSET)),
                row.get(HELPDESK_TICKET_EVENT.ACTIVITY),
                instant(row.get(HELPDESK_TICKET_EVENT.OCCURRED_AT)),
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

    private static Field<BigDecimal> sum(Field<BigDecimal> stored) {
        return coalesce(stored.plus(excluded(stored)), stored, excluded(stored));
    }

    private static Instant instant(OffsetDateTime time) {
        return time == null ? null : time.toInstant();
    }
}
