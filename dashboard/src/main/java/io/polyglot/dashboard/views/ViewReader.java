package io.polyglot.dashboard.views;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;

/**
 * Reads pages and exports of the read-model views with plain JDBC: the view and column names in the SQL come from
 * {@link ViewCatalog} (the documented views and the columns PostgreSQL reports), every value a client sent is a bound
 * parameter. After the requested sort keys every other column follows in the view's order, so equal keys still give
 * one stable order and pages neither repeat nor skip rows.
 */
public final class ViewReader {

    private static final int EXPORT_FETCH_SIZE = 1_000;
    /** SQLSTATE class of data exceptions: a filter value that does not fit its column's type. */
    private static final String DATA_EXCEPTION = "22";

    private final DataSource database;
    private final ViewCatalog catalog;
    private final int timeoutSeconds;

    public ViewReader(DataSource database, ViewCatalog catalog, Duration queryTimeout) {
        this.database = database;
        this.catalog = catalog;
        this.timeoutSeconds = (int) Math.max(1, Math.min(Integer.MAX_VALUE, queryTimeout.toSeconds()));
    }

    /**
     * One page of a view.
     *
     * @param total how many rows pass the filters
     * @param rows the page's rows, each keyed by column in the view's order
     */
    public record ViewPage(long total, List<Map<String, Object>> rows) {}

    /**
     * The page {@code query} asks for.
     *
     * @throws UnknownViewException when the view is not a documented one
     * @throws BadParameterException naming {@code filter} when a value does not fit its column's type
     * @throws ViewUnavailableException when PostgreSQL cannot answer in time
     */
    public ViewPage page(String view, ViewQuery query) {
        List<ViewColumn> columns = catalog.columns(view);
        String where = where(query);
        String count = "SELECT count(*) FROM " + relation(view) + where;
        String select = select(view, columns, query) + " LIMIT ? OFFSET ?";
        try (Connection connection = database.getConnection()) {
            long total;
            try (PreparedStatement statement = prepare(connection, count, query)) {
                try (ResultSet rows = statement.executeQuery()) {
                    rows.next();
                    total = rows.getLong(1);
                }
            }
            List<Map<String, Object>> page = new ArrayList<>();
            try (PreparedStatement statement = prepare(connection, select, query)) {
                int next = query.filters().size() + 1;
                statement.setInt(next, query.size());
                statement.setLong(next + 1, (long) query.page() * query.size());
                try (ResultSet rows = statement.executeQuery()) {
                    while (rows.next()) {
                        Map<String, Object> row = new LinkedHashMap<>();
                        for (int i = 0; i < columns.size(); i++) {
                            row.put(columns.get(i).name(), value(rows, i + 1, columns.get(i)));
                        }
                        page.add(row);
                    }
                }
            }
            return new ViewPage(total, List.copyOf(page));
        } catch (SQLException e) {
            throw translate(view, e);
        }
    }

    /**
     * Writes every row of {@code view} that passes the filters to {@code out} as CSV (a header of the column names,
     * then one record per row, empty for null), reading the rows in batches so the export never sits in memory whole.
     *
     * @throws UnknownViewException when the view is not a documented one
     * @throws BadParameterException naming {@code filter} when a value does not fit its column's type
     * @throws ViewUnavailableException when PostgreSQL cannot answer in time
     * @throws UncheckedIOException when the client goes away
     */
    public void exportCsv(String view, ViewQuery query, Writer out) {
        List<ViewColumn> columns = catalog.columns(view);
        String select = select(view, columns, query);
        try (Connection connection = database.getConnection()) {
            // A cursor, so PostgreSQL hands the rows over in batches: it needs a transaction.
            connection.setAutoCommit(false);
            try (PreparedStatement statement = prepare(connection, select, query)) {
                statement.setFetchSize(EXPORT_FETCH_SIZE);
                String[] header = columns.stream().map(ViewColumn::name).toArray(String[]::new);
                try (ResultSet rows = statement.executeQuery();
                        CSVPrinter csv = new CSVPrinter(
                                out,
                                CSVFormat.DEFAULT.builder().setHeader(header).get())) {
                    while (rows.next()) {
                        for (int i = 0; i < columns.size(); i++) {
                            Object value = value(rows, i + 1, columns.get(i));
                            csv.print(value == null ? "" : value);
                        }
                        csv.println();
                    }
                    csv.flush();
                }
            } finally {
                connection.rollback();
            }
        } catch (SQLException e) {
            throw translate(view, e);
        } catch (IOException e) {
            throw new UncheckedIOException("the export of " + view + " could not be written", e);
        }
    }

    private PreparedStatement prepare(Connection connection, String sql, ViewQuery query) throws SQLException {
        PreparedStatement statement = connection.prepareStatement(sql);
        statement.setQueryTimeout(timeoutSeconds);
        int index = 1;
        for (ViewFilter filter : query.filters()) {
            statement.setString(index++, filter.parameter());
        }
        return statement;
    }

    private static String select(String view, List<ViewColumn> columns, ViewQuery query) {
        String list = columns.stream().map(ViewColumn::identifier).collect(Collectors.joining(", "));
        List<String> order = new ArrayList<>();
        for (ViewQuery.SortKey key : query.sort()) {
            order.add(key.column().identifier() + (key.descending() ? " DESC NULLS LAST" : " ASC NULLS LAST"));
        }
        for (ViewColumn column : columns) {
            if (query.sort().stream().noneMatch(key -> key.column().equals(column))) {
                order.add(column.identifier() + " ASC NULLS LAST");
            }
        }
        return "SELECT " + list + " FROM " + relation(view) + where(query) + " ORDER BY " + String.join(", ", order);
    }

    private static String where(ViewQuery query) {
        if (query.filters().isEmpty()) {
            return "";
        }
        return " WHERE " + query.filters().stream().map(ViewFilter::sql).collect(Collectors.joining(" AND "));
    }

    private static String relation(String view) {
        // Only names of ViewCatalog.VIEWS reach here: plain lower-case identifiers.
        return "public.\"" + view + '"';
    }

    /** A value as JSON and CSV show it: times in ISO-8601, numbers as numbers, non-finite doubles as text. */
    private static Object value(ResultSet rows, int index, ViewColumn column) throws SQLException {
        switch (column.type()) {
            case "timestamp with time zone" -> {
                OffsetDateTime time = rows.getObject(index, OffsetDateTime.class);
                return time == null ? null : time.toInstant().toString();
            }
            case "date" -> {
                LocalDate day = rows.getObject(index, LocalDate.class);
                return day == null ? null : day.toString();
            }
            case "numeric" -> {
                return rows.getBigDecimal(index);
            }
            case "double precision", "real" -> {
                double number = rows.getDouble(index);
                if (rows.wasNull()) {
                    return null;
                }
                return Double.isFinite(number) ? number : Double.toString(number);
            }
            case "bigint", "integer", "smallint" -> {
                long number = rows.getLong(index);
                return rows.wasNull() ? null : number;
            }
            default -> {
                return rows.getString(index);
            }
        }
    }

    private static RuntimeException translate(String view, SQLException e) {
        String state = e.getSQLState();
        if (state != null && state.startsWith(DATA_EXCEPTION)) {
            return new BadParameterException("filter", "a filter value does not fit its column: " + e.getMessage());
        }
        return new ViewUnavailableException("PostgreSQL could not answer the query of " + view, e);
    }
}
