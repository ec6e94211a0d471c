package io.polyglot.chaos;

import io.polyglot.runtime.DatabaseUrl;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The views whose reference is simple, one or two of each table family, queried with SQL and compared row by row with
 * the fold of the log files: {@code helpdesk_tickets} and {@code loan_applications} (event count and status per
 * aggregate), {@code loan_activity_counts} (events per activity and lifecycle) and
 * {@code helpdesk_activity_durations} (events per activity).
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
