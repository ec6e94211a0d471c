package io.polyglot.projection;

import io.polyglot.readmodel.ReadModelMigrations;
import io.polyglot.stack.PostgresServer;
import io.polyglot.testservers.TestPostgres;
import io.polyglot.testservers.TestServers;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;

/** A real, migrated PostgreSQL for a test class, and plain-JDBC reads of the views people query. */
public final class TestDatabase implements AutoCloseable {

    private final String databaseUrl;
    private final Runnable stop;
    private final PGSimpleDataSource dataSource;

    private TestDatabase(String jdbcUrl, String user, String password, String databaseUrl, Runnable stop) {
        this.databaseUrl = databaseUrl;
        this.stop = stop;
        this.dataSource = new PGSimpleDataSource();
        dataSource.setUrl(jdbcUrl);
        dataSource.setUser(user);
        dataSource.setPassword(password);
    }

    /** Starts a server on a free loopback port with its cluster in {@code dataDir}, and migrates it. */
    public static TestDatabase start(Path dataDir) {
        TestPostgres server = TestServers.postgres(dataDir);
        return migrated(new TestDatabase(
                server.jdbcUrl(), server.user(), server.password(), server.databaseUrl(), server::close));
    }

    /** Migrates a server the test started, and stops, itself: closing the database leaves it running. */
    public static TestDatabase on(PostgresServer server) {
        return migrated(
                new TestDatabase(server.jdbcUrl(), server.user(), server.password(), server.databaseUrl(), () -> {}));
    }

    private static TestDatabase migrated(TestDatabase database) {
        ReadModelMigrations.migrate(database.dataSource);
        return database;
    }

    public DataSource dataSource() {
        return dataSource;
    }

    /** The server's libpq URI, as {@code DATABASE_URL} takes it. */
    public String databaseUrl() {
        return databaseUrl;
    }

    /** Empties every table behind the views, so each test starts from an empty read model. */
    public void empty() throws SQLException {
        try (Connection connection = dataSource.getConnection();
                Statement statement = connection.createStatement()) {
            statement.execute("truncate projection.loan_application, projection.helpdesk_ticket,"
                    + " projection.loan_activity_count_part, projection.projection_offsets,"
                    + " projection.loan_offer, projection.loan_work_item, projection.loan_work_item_state,"
                    + " projection.loan_stage_reached, projection.helpdesk_ticket_event, projection.weather_day");
        }
    }

    public List<LoanApplicationRow> loanApplications() throws SQLException {
        List<LoanApplicationRow> rows = new ArrayList<>();
        query(
                "select application_id, status, amount_requested, submitted_at, last_event_at, event_count"
                        + " from loan_applications order by application_id",
                result -> rows.add(new LoanApplicationRow(
                        result.getString(1),
                        result.getString(2),
                        normalized(result.getBigDecimal(3)),
                        instant(result.getTimestamp(4)),
                        instant(result.getTimestamp(5)),
                        result.getLong(6))));
        return rows;
    }

    public List<ActivityCountRow> loanActivityCounts() throws SQLException {
        List<ActivityCountRow> rows = new ArrayList<>();
        query(
                "select activity, lifecycle, events from loan_activity_counts order by activity, lifecycle nulls first",
                result -> rows.add(new ActivityCountRow(result.getString(1), result.getString(2), result.getLong(3))));
        return rows;
    }

    public List<HelpdeskTicketRow> helpdeskTickets() throws SQLException {
        List<HelpdeskTicketRow> rows = new ArrayList<>();
        query(
                "select ticket_id, status, opened_at, last_event_at, event_count from helpdesk_tickets"
                        + " order by ticket_id",
                result -> rows.add(new HelpdeskTicketRow(
                        result.getString(1),
                        result.getString(2),
                        instant(result.getTimestamp(3)),
                        instant(result.getTimestamp(4)),
                        result.getLong(5))));
        return rows;
    }

    /** The stored next offset of a group's partition, or -1 when none is stored. */
    public long storedOffset(String group, String topic, int partition) throws SQLException {
        long[] offset = {-1};
        query(
                "select next_offset from projection.projection_offsets where consumer_group = ? and topic = ?"
                        + " and partition = ?",
                result -> offset[0] = result.getLong(1),
                group,
                topic,
                partition);
        return offset[0];
    }

    @Override
    public void close() {
        stop.run();
    }

    private void query(String sql, RowReader reader, Object... parameters) throws SQLException {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement = connection.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                statement.setObject(i + 1, parameters[i]);
            }
            try (ResultSet result = statement.executeQuery()) {
                while (result.next()) {
                    reader.read(result);
                }
            }
        }
    }

    private static Instant instant(Timestamp timestamp) {
        return timestamp == null ? null : timestamp.toInstant();
    }

    /** Compares amounts by value: 20000 and 20000.0 are the same amount. */
    private static BigDecimal normalized(BigDecimal amount) {
        return amount == null ? null : amount.stripTrailingZeros();
    }

    private interface RowReader {
        void read(ResultSet result) throws SQLException;
    }

    /** A row of {@code loan_applications}. */
    public record LoanApplicationRow(
            String applicationId,
            String status,
            BigDecimal amountRequested,
            Instant submittedAt,
            Instant lastEventAt,
            long eventCount) {}

    /** A row of {@code loan_activity_counts}. */
    public record ActivityCountRow(String activity, String lifecycle, long events) {}

    /** A row of {@code helpdesk_tickets}. */
    public record HelpdeskTicketRow(
            String ticketId, String status, Instant openedAt, Instant lastEventAt, long eventCount) {}
}
