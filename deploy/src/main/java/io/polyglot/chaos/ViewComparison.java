package io.polyglot.chaos;

import io.polyglot.runtime.DatabaseUrl;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Every view of the read model, queried with SQL and compared row by row, exactly, with the fold of the log files:
 * {@code helpdesk_tickets} and {@code loan_applications} (event count and status per aggregate),
 * {@code loan_activity_counts} (events per activity and lifecycle), {@code helpdesk_activity_durations} (events per
 * activity), and every column of {@code loan_offers}, {@code loan_work_items} and {@code loan_funnel}
 * ({@link LoanViewReference}). The run imports no weather readings, so the reference of {@code weather_daily} is empty
 * and its check is that the view is empty.
 *
 * @param view the view's name
 * @param rows the rows the reference expects
 * @param missing expected rows the view lacks
 * @param extra rows of the view the reference does not expect
 * @param different rows present on both sides with other values
 * @param examples a few of the differences
 */
record ViewComparison(String view, int rows, int missing, int extra, int different, List<String> examples) {

    private static final int EXAMPLES = 3;
    private static final String WEATHER_DAILY = "weather_daily";

    boolean equal() {
        return missing == 0 && extra == 0 && different == 0;
    }

    /** Compares every view with the reference of {@code helpdesk} and {@code loans}, in the database at {@code url}. */
    static List<ViewComparison> all(String databaseUrl, LogReference helpdesk, LogReference loans) throws SQLException {
        DatabaseUrl url = DatabaseUrl.parse(databaseUrl);
        try (Connection connection = DriverManager.getConnection(url.jdbcUrl(), url.user(), url.password())) {
            List<ViewComparison> comparisons = new ArrayList<>();
            comparisons.add(compare(
                    "helpdesk_tickets",
                    perCase(helpdesk, false),
                    rows(connection, "SELECT ticket_id, event_count, status FROM helpdesk_tickets")));
            comparisons.add(compare(
                    "loan_applications",
                    perCase(loans, true),
                    rows(connection, "SELECT application_id, event_count, status FROM loan_applications")));
            comparisons.add(compare(
                    "loan_activity_counts",
                    perActivity(loans, true),
                    rows(
                            connection,
                            "SELECT activity || '/' || coalesce(lifecycle, '(none)'), events"
                                    + " FROM loan_activity_counts")));
            comparisons.add(compare(
                    "helpdesk_activity_durations",
                    perActivity(helpdesk, false),
                    rows(connection, "SELECT activity, events FROM helpdesk_activity_durations")));
            comparisons.add(compare(
                    "loan_offers",
                    keyed(LoanViewReference.offers(loans), 2),
                    keyed(
                            typedRows(
                                    connection,
                                    "SELECT application_id, offer_no, status, created_at, decided_at FROM loan_offers"),
                            2)));
            // several STARTs of one work item may share a time, so a row is keyed by what it holds, tie by tie
            comparisons.add(compare(
                    "loan_work_items",
                    keyed(LoanViewReference.workItems(loans), 4),
                    keyed(
                            typedRows(
                                    connection,
                                    "SELECT application_id, work_item, scheduled_at, started_at, completed_at,"
                                            + " handling_seconds FROM loan_work_items"),
                            4)));
            comparisons.add(compare(
                    "loan_funnel",
                    keyed(LoanViewReference.funnel(loans), 1),
                    keyed(
                            typedRows(
                                    connection,
                                    "SELECT stage, applications, median_hours_from_submission FROM loan_funnel"),
                            1)));
            comparisons.add(compare(
                    WEATHER_DAILY + " (no weather log imported: expected empty)",
                    Map.of(),
                    keyed(
                            typedRows(
                                    connection,
                                    "SELECT station, day, readings, min_temp, max_temp, mean_temp, total_precip"
                                            + " FROM weather_daily"),
                            2)));
            return comparisons;
        }
    }

    /** Per case: its event count and its status (latest activity; for loans the latest starting with {@code A_}). */
    private static Map<String, String> perCase(LogReference log, boolean loanStatus) {
        Map<String, String> expected = new TreeMap<>();
        log.cases().forEach((caseId, steps) -> {
            String status = null;
            for (LogReference.Step step : steps) {
                if (!loanStatus || step.activity().startsWith("A_")) {
                    status = step.activity();
                }
            }
            expected.put(caseId, steps.size() + "|" + status);
        });
        return expected;
    }

    /** Events per activity, with the lifecycle too where {@code withLifecycle}. */
    private static Map<String, String> perActivity(LogReference log, boolean withLifecycle) {
        Map<String, Long> counts = new TreeMap<>();
        log.cases().values().stream().flatMap(List::stream).forEach(step -> {
            String key = withLifecycle
                    ? step.activity() + "/" + Objects.requireNonNullElse(step.lifecycle(), "(none)")
                    : step.activity();
            counts.merge(key, 1L, Long::sum);
        });
        Map<String, String> expected = new TreeMap<>();
        counts.forEach((key, count) -> expected.put(key, Long.toString(count)));
        return expected;
    }

    /** The first column as the key, the others joined by {@code |}. */
    private static Map<String, String> rows(Connection connection, String sql) throws SQLException {
        Map<String, String> rows = new TreeMap<>();
        try (Statement statement = connection.createStatement();
                ResultSet result = statement.executeQuery(sql)) {
            int columns = result.getMetaData().getColumnCount();
            while (result.next()) {
                StringBuilder value = new StringBuilder();
                for (int column = 2; column <= columns; column++) {
                    value.append(column > 2 ? "|" : "").append(result.getString(column));
                }
                rows.put(result.getString(1), value.toString());
            }
        }
        return rows;
    }

    /**
     * Every row as its column values, formatted by SQL type as {@link LoanViewReference} formats the reference: a
     * {@code timestamptz} as its instant, a {@code numeric} without trailing zeros, a {@code float8} as Java prints the
     * double, anything else as PostgreSQL's text; SQL null as {@code null}.
     */
    private static List<List<String>> typedRows(Connection connection, String sql) throws SQLException {
        List<List<String>> rows = new ArrayList<>();
        try (Statement statement = connection.createStatement();
                ResultSet result = statement.executeQuery(sql)) {
            ResultSetMetaData meta = result.getMetaData();
            while (result.next()) {
                List<String> row = new ArrayList<>();
                for (int column = 1; column <= meta.getColumnCount(); column++) {
                    row.add(formatted(result, column, meta.getColumnTypeName(column)));
                }
                rows.add(row);
            }
        }
        return rows;
    }

    private static String formatted(ResultSet result, int column, String type) throws SQLException {
        if (result.getObject(column) == null) {
            return null;
        }
        return switch (type) {
            case "timestamptz" ->
                result.getObject(column, OffsetDateTime.class).toInstant().toString();
            case "numeric" -> result.getBigDecimal(column).stripTrailingZeros().toPlainString();
            case "float8" -> Double.toString(result.getDouble(column));
            default -> result.getString(column);
        };
    }

    /**
     * Rows by key: the first {@code keyColumns} values joined by {@code |}, the others as the value. Rows are taken in
     * the order of their whole text, so rows that share a key get the same ordinal ({@code #2}, {@code #3} ...) on
     * both sides when they hold the same values.
     */
    static Map<String, String> keyed(List<List<String>> rows, int keyColumns) {
        List<List<String>> ordered = new ArrayList<>(rows);
        ordered.sort(Comparator.comparing(row -> String.join("\u0000", stringsOf(row))));
        Map<String, String> keyed = new TreeMap<>();
        Map<String, Integer> seen = new HashMap<>();
        for (List<String> row : ordered) {
            String key = String.join("|", stringsOf(row.subList(0, keyColumns)));
            int ordinal = seen.merge(key, 1, Integer::sum);
            keyed.put(
                    ordinal == 1 ? key : key + " #" + ordinal,
                    String.join("|", stringsOf(row.subList(keyColumns, row.size()))));
        }
        return keyed;
    }

    private static List<String> stringsOf(List<String> values) {
        return values.stream().map(String::valueOf).toList();
    }

    private static ViewComparison compare(String view, Map<String, String> expected, Map<String, String> actual) {
        int missing = 0;
        int different = 0;
        List<String> examples = new ArrayList<>();
        for (Map.Entry<String, String> row : expected.entrySet()) {
            String found = actual.get(row.getKey());
            if (found == null) {
                missing++;
                note(examples, "'" + row.getKey() + "' missing (expected " + row.getValue() + ")");
            } else if (!found.equals(row.getValue())) {
                different++;
                note(examples, "'" + row.getKey() + "' is " + found + ", expected " + row.getValue());
            }
        }
        int extra = 0;
        for (String key : actual.keySet()) {
            if (!expected.containsKey(key)) {
                extra++;
                note(examples, "'" + key + "' not expected (" + actual.get(key) + ")");
            }
        }
        return new ViewComparison(view, expected.size(), missing, extra, different, List.copyOf(examples));
    }

    private static void note(List<String> examples, String example) {
        if (examples.size() < EXAMPLES) {
            examples.add(example);
        }
    }
}
