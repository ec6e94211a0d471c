package io.polyglot.projection.reallogs;

import io.polyglot.projection.reallogs.ViewRows.ActivityDuration;
import io.polyglot.projection.reallogs.ViewRows.Offer;
import io.polyglot.projection.reallogs.ViewRows.Stage;
import io.polyglot.projection.reallogs.ViewRows.WeatherDay;
import io.polyglot.projection.reallogs.ViewRows.WorkItem;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/** Plain-JDBC reads of the views of the real logs, the way a person queries them. */
public final class RealLogViews {

    private final DataSource dataSource;

    public RealLogViews(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    public List<Offer> loanOffers() throws SQLException {
        return query(
                "select application_id, offer_no, status, created_at, decided_at from loan_offers"
                        + " order by application_id, offer_no",
                row -> new Offer(row.getString(1), row.getInt(2), row.getString(3), instant(row, 4), instant(row, 5)));
    }

    public List<WorkItem> loanWorkItems() throws SQLException {
        List<WorkItem> rows = new ArrayList<>(query(
                "select application_id, work_item, scheduled_at, started_at, completed_at, handling_seconds"
                        + " from loan_work_items",
                row -> new WorkItem(
                        row.getString(1),
                        row.getString(2),
                        instant(row, 3),
                        instant(row, 4),
                        instant(row, 5),
                        normalized(row.getBigDecimal(6)))));
        rows.sort(WorkItem.ORDER);
        return rows;
    }

    /** In the view's own order: the process order of the stages. */
    public List<Stage> loanFunnel() throws SQLException {
        return query(
                "select stage, applications, median_hours_from_submission from loan_funnel",
                row -> new Stage(row.getString(1), row.getLong(2), (Double) row.getObject(3)));
    }

    public List<ActivityDuration> helpdeskActivityDurations() throws SQLException {
        return query(
                "select activity, events, median_seconds_to_next from helpdesk_activity_durations order by activity",
                row -> new ActivityDuration(row.getString(1), row.getLong(2), (Double) row.getObject(3)));
    }

    public List<WeatherDay> weatherDaily() throws SQLException {
        return query(
                "select station, day, readings, min_temp, max_temp, mean_temp, total_precip from weather_daily"
                        + " order by station, day",
                row -> new WeatherDay(
                        row.getString(1),
                        row.getObject(2, java.time.LocalDate.class),
                        row.getLong(3),
                        normalized(row.getBigDecimal(4)),
                        normalized(row.getBigDecimal(5)),
                        normalized(row.getBigDecimal(6)),
                        normalized(row.getBigDecimal(7))));
    }

    /** Every view of the real logs at once, to compare two read models. */
    public Snapshot snapshot() throws SQLException {
        return new Snapshot(loanOffers(), loanWorkItems(), loanFunnel(), helpdeskActivityDurations(), weatherDaily());
    }

    /** A single scalar, e.g. a count. */
    public long count(String sql) throws SQLException {
        return query(sql, row -> row.getLong(1)).get(0);
    }

    private <T> List<T> query(String sql, RowMapper<T> mapper) throws SQLException {
        List<T> rows = new ArrayList<>();
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement = connection.prepareStatement(sql);
                ResultSet result = statement.executeQuery()) {
            while (result.next()) {
                rows.add(mapper.map(result));
            }
        }
        return rows;
    }

    private static Instant instant(ResultSet row, int column) throws SQLException {
        Timestamp timestamp = row.getTimestamp(column);
        return timestamp == null ? null : timestamp.toInstant();
    }

    /** Compares numbers by value: 60 and 60.000000 are the same number of seconds. */
    private static BigDecimal normalized(BigDecimal value) {
        return value == null ? null : value.stripTrailingZeros();
    }

    private interface RowMapper<T> {
        T map(ResultSet row) throws SQLException;
    }

    /** The rows of every view of the real logs. */
    public record Snapshot(
            List<Offer> loanOffers,
            List<WorkItem> loanWorkItems,
            List<Stage> loanFunnel,
            List<ActivityDuration> helpdeskActivityDurations,
            List<WeatherDay> weatherDaily) {}
}
