package io.polyglot.projection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import io.polyglot.projection.readmodel.PostgresReadModelRebuild;
import io.polyglot.projection.rebuild.LeftOutRecords;
import io.polyglot.projection.rebuild.ProjectionRebuild;
import io.polyglot.projection.rebuild.RebuildRefusedException;
import io.polyglot.runtime.DatabaseUrl;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code ./polyglot projection rebuild}: the tables behind the views rebuilt from the log beside a live worker. */
class RebuildTest extends WorkersOnKafkaAndPostgres {

    private static final int SLICES = 8;

    private final ByteArrayOutputStream progress = new ByteArrayOutputStream();
    private HikariDataSource pool;

    @BeforeEach
    void prepareTheTest() throws Exception {
        pool = ReadModelDatabase.pool(DatabaseUrl.parse(servers.database().databaseUrl()), 4);
    }

    @AfterEach
    void cleanUpTheTest() {
        pool.close();
    }

    @Test
    void aRebuildWhileEventsKeepArrivingReproducesEveryViewExactly() throws Exception {
        // given a live worker that projected the first part of a log
        SyntheticLog eventLog = SyntheticLog.generate(41, 150, 100);
        int firstPart = eventLog.entries().size() / 3;
        eventLog.firstPart(firstPart).produceTo(servers.bootstrapServers(), workers.topic());
        workers.start(50);
        workers.awaitViewsEqualTheFoldOf(eventLog.firstPart(firstPart));

        // when the rest arrives in slices while every view is rebuilt
        CompletableFuture<Void> producing = CompletableFuture.runAsync(() -> produceInSlices(eventLog, firstPart));
        ReadModelRebuild.Swapped swapped = rebuild().run(List.of());
        producing.get(2, TimeUnit.MINUTES);

        // then the rebuilt tables equalled the live ones when they were swapped in, at the live offsets
        assertThat(swapped.tables())
                .containsExactly(
                        "loan_application",
                        "loan_activity_count_part",
                        "helpdesk_ticket",
                        "loan_offer",
                        "loan_work_item",
                        "loan_work_item_state",
                        "loan_stage_reached",
                        "helpdesk_ticket_event",
                        "weather_day");
        assertThat(swapped.rowsDiffering())
                .hasSize(9)
                .allSatisfy((table, rows) -> assertThat(rows).as(table).isZero());
        assertThat(swapped.offsets().values().stream()
                        .mapToLong(Long::longValue)
                        .sum())
                .isGreaterThanOrEqualTo(firstPart);
        assertThat(swapped.viewsRecreated())
                .containsExactlyInAnyOrder(
                        "\"public\".\"loan_applications\"",
                        "\"public\".\"loan_activity_counts\"",
                        "\"public\".\"helpdesk_tickets\"",
                        "\"public\".\"loan_offers\"",
                        "\"public\".\"loan_work_items\"",
                        "\"public\".\"loan_funnel\"",
                        "\"public\".\"helpdesk_activity_durations\"",
                        "\"public\".\"weather_daily\"");
        assertThat(progress.toString(StandardCharsets.UTF_8)).contains("rebuild: swapped in");

        // and the live worker goes on in the swapped tables to the reference fold of the whole log
        workers.awaitViewsEqualTheFoldOf(eventLog);
        assertThat(viewComment("loan_applications")).isEqualTo("One row per aggregate of type LoanApplication.");
    }

    @Test
    void theSwappedTablesAndRecreatedViewsKeepWhatWasGrantedOnThem() throws Exception {
        // given a role granted the helpdesk view, PUBLIC another view, and a role a table behind it (predefined roles:
        // the read model's owner may grant to them but not create roles of its own)
        SyntheticLog.generate(43, 20, 20).produceTo(servers.bootstrapServers(), workers.topic());
        workers.start(50);
        String reader = "pg_monitor";
        String auditor = "pg_signal_backend";
        execute(
                "grant select on public.helpdesk_tickets to " + reader,
                "grant select on public.loan_applications to public",
                "grant select, references on projection.loan_application to " + auditor + " with grant option");

        // when every view is rebuilt
        rebuild().run(List.of());

        // then the grants are there again on the new view and table
        assertThat(privilege(reader, "public.helpdesk_tickets", "select")).isTrue();
        assertThat(privilege("public", "public.loan_applications", "select")).isTrue();
        assertThat(privilege(auditor, "projection.loan_application", "select with grant option"))
                .isTrue();
        assertThat(privilege(auditor, "projection.loan_application", "references"))
                .isTrue();
        assertThat(privilege(reader, "public.loan_applications", "insert")).isFalse();
        execute(
                "revoke select on public.loan_applications from public",
                "revoke all on public.helpdesk_tickets from " + reader,
                "revoke all on projection.loan_application from " + auditor + " cascade");
    }

    @Test
    void refusesASecondRebuildWhileOneRuns() {
        // given a rebuild that holds the rebuild lock
        try (PostgresReadModelRebuild running =
                new PostgresReadModelRebuild(pool, workers.group(), Duration.ofSeconds(2))) {
            assertThat(running.tryLock()).isTrue();

            // when / then
            assertThatThrownBy(() -> rebuild().run(List.of()))
                    .isInstanceOf(RebuildRefusedException.class)
                    .hasMessageContaining("another rebuild of the read model is running");
        }
    }

    @Test
    void refusesWhenTheLogNoLongerStartsAtOffsetZero() throws Exception {
        // given a log whose first two events of partition 0 were deleted
        SyntheticLog.generate(42, 30, 0).produceTo(servers.bootstrapServers(), workers.topic());
        servers.admin()
                .deleteRecords(Map.of(new TopicPartition(workers.topic(), 0), RecordsToDelete.beforeOffset(2)))
                .all()
                .get(1, TimeUnit.MINUTES);

        // when / then
        assertThatThrownBy(() -> rebuild().run(List.of()))
                .isInstanceOf(RebuildRefusedException.class)
                .hasMessageContaining("no longer starts at offset 0")
                .hasMessageContaining("{0=2}");
    }

    @Test
    void refusesAViewThatCannotBeRebuilt() {
        assertThatThrownBy(() -> rebuild().run(List.of("loan_applications", "invoices")))
                .isInstanceOf(RebuildRefusedException.class)
                .hasMessageContaining("no view invoices can be rebuilt")
                .hasMessageContaining("loan_applications, loan_activity_counts, helpdesk_tickets");
    }

    private ProjectionRebuild rebuild() {
        return new ProjectionRebuild(
                servers.bootstrapServers(),
                workers.topic(),
                workers.group(),
                Map.of(),
                new PostgresReadModelRebuild(pool, workers.group(), Duration.ofSeconds(2)),
                Duration.ofMinutes(1),
                LeftOutRecords.NONE,
                new PrintStream(progress, true, StandardCharsets.UTF_8),
                Clock.systemUTC());
    }

    private void produceInSlices(SyntheticLog eventLog, int from) {
        int size = eventLog.entries().size();
        for (int slice = 0; slice < SLICES; slice++) {
            int start = from + (size - from) * slice / SLICES;
            int end = from + (size - from) * (slice + 1) / SLICES;
            eventLog.firstPart(end).rest(start).produceTo(servers.bootstrapServers(), workers.topic());
        }
    }

    private static void execute(String... statements) throws Exception {
        try (Connection connection = servers.database().dataSource().getConnection();
                Statement statement = connection.createStatement()) {
            for (String sql : statements) {
                statement.execute(sql);
            }
        }
    }

    /** Whether {@code role} (or PUBLIC, for {@code "public"}) holds {@code privilege} on {@code relation}. */
    private static boolean privilege(String role, String relation, String privilege) throws Exception {
        String check = "public".equals(role)
                ? "select coalesce(bool_or(a.privilege_type = upper(?)), false) from pg_class c"
                        + " cross join lateral aclexplode(c.relacl) a"
                        + " where c.oid = cast(? as regclass) and a.grantee = 0"
                : "select has_table_privilege(?, ?, ?)";
        try (Connection connection = servers.database().dataSource().getConnection();
                java.sql.PreparedStatement statement = connection.prepareStatement(check)) {
            if ("public".equals(role)) {
                statement.setString(1, privilege);
                statement.setString(2, relation);
            } else {
                statement.setString(1, role);
                statement.setString(2, relation);
                statement.setString(3, privilege);
            }
            try (ResultSet result = statement.executeQuery()) {
                result.next();
                return result.getBoolean(1);
            }
        }
    }

    private static String viewComment(String view) throws Exception {
        try (Connection connection = servers.database().dataSource().getConnection();
                Statement statement = connection.createStatement();
                ResultSet result =
                        statement.executeQuery("select obj_description('public." + view + "'::regclass, 'pg_class')")) {
            result.next();
            return result.getString(1);
        }
    }
}
