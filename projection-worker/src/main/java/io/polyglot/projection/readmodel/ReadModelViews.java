package io.polyglot.projection.readmodel;

import static io.polyglot.readmodel.jooq.projection.Tables.HELPDESK_TICKET;
import static io.polyglot.readmodel.jooq.projection.Tables.LOAN_ACTIVITY_COUNT_PART;
import static io.polyglot.readmodel.jooq.projection.Tables.LOAN_APPLICATION;

import io.polyglot.projection.domain.HelpdeskTicketProjection;
import io.polyglot.projection.domain.LoanActivityCountProjection;
import io.polyglot.projection.domain.LoanApplicationProjection;
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
        return java.util.Collections.unmodifiableMap(tables);
    }
}
