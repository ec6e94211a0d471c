package io.polyglot.projection.readmodel;

import static io.polyglot.readmodel.jooq.projection.Tables.HELPDESK_TICKET;
import static io.polyglot.readmodel.jooq.projection.Tables.HELPDESK_TICKET_EVENT;
import static io.polyglot.readmodel.jooq.projection.Tables.LOAN_ACTIVITY_COUNT_PART;
import static io.polyglot.readmodel.jooq.projection.Tables.LOAN_APPLICATION;
import static io.polyglot.readmodel.jooq.projection.Tables.LOAN_OFFER;
import static io.polyglot.readmodel.jooq.projection.Tables.LOAN_STAGE_REACHED;
import static io.polyglot.readmodel.jooq.projection.Tables.LOAN_WORK_ITEM;
import static io.polyglot.readmodel.jooq.projection.Tables.LOAN_WORK_ITEM_STATE;
import static io.polyglot.readmodel.jooq.projection.Tables.WEATHER_DAY;

import io.polyglot.projection.domain.HelpdeskDurationProjection;
import io.polyglot.projection.domain.HelpdeskTicketProjection;
import io.polyglot.projection.domain.LoanActivityCountProjection;
import io.polyglot.projection.domain.LoanApplicationProjection;
import io.polyglot.projection.domain.LoanFunnelProjection;
import io.polyglot.projection.domain.LoanOfferProjection;
import io.polyglot.projection.domain.LoanWorkItemProjection;
import io.polyglot.projection.domain.WeatherDailyProjection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jooq.Table;

/**
 * Which tables of schema {@code projection} stand behind each view people query. A rebuild swaps exactly these
 * tables for the views it is asked to rebuild; a new view joins rebuilds by one line here.
 */
final class ReadModelViews {

    /** View name to the tables behind it, in the order rebuilds list them. */
    static final Map<String, List<Table<?>>> TABLES_BEHIND = tablesBehind();

    private ReadModelViews() {}

    private static Map<String, List<Table<?>>> tablesBehind() {
        Map<String, List<Table<?>>> tables = new LinkedHashMap<>();
        tables.put(LoanApplicationProjection.VIEW, List.of(LOAN_APPLICATION));
        tables.put(LoanActivityCountProjection.VIEW, List.of(LOAN_ACTIVITY_COUNT_PART));
        tables.put(HelpdeskTicketProjection.VIEW, List.of(HELPDESK_TICKET));
        tables.put(LoanOfferProjection.VIEW, List.of(LOAN_OFFER));
        tables.put(LoanWorkItemProjection.VIEW, List.of(LOAN_WORK_ITEM, LOAN_WORK_ITEM_STATE));
        // loan_stage, the stages' process order, is filled by the migration and never written by the worker.
        tables.put(LoanFunnelProjection.VIEW, List.of(LOAN_STAGE_REACHED));
        tables.put(HelpdeskDurationProjection.VIEW, List.of(HELPDESK_TICKET_EVENT));
        tables.put(WeatherDailyProjection.VIEW, List.of(WEATHER_DAY));
        return java.util.Collections.unmodifiableMap(tables);
    }
}
