package io.polyglot.projection.readmodel;

import static io.polyglot.readmodel.jooq.projection.Tables.DEAD_LETTER_RESOLUTION;
import static io.polyglot.readmodel.jooq.projection.Tables.PROJECTION_OFFSETS;

import io.polyglot.projection.BatchPause;
import io.polyglot.projection.DeadLetterResolutions;
import io.polyglot.projection.ReadModelRebuild;
import io.polyglot.projection.ReadModelStore;
import io.polyglot.projection.ReadModelUnavailableException;
import io.polyglot.runtime.deadletter.DeadLetterSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.Table;
import org.jooq.conf.MappedSchema;
import org.jooq.conf.RenderMapping;
import org.jooq.conf.Settings;
import org.jooq.impl.DSL;

/**
 * A rebuild in PostgreSQL. The copies live in schema {@value #COPIES}, one per table of schema {@value #LIVE} but the
 * offsets, made with {@code CREATE TABLE ... (LIKE ... INCLUDING ALL)}; the copies' store is the live store with
 * jOOQ's render mapping sending schema {@value #LIVE} to {@value #COPIES}, so every upsert, those of views added later
 * too, writes the copies and never a live table. The swap locks {@code projection_offsets} in {@code EXCLUSIVE} mode:
 * every worker transaction starts by moving an offset, so none can write a row until the swap commits, and readers of
 * the views are not blocked until the swap locks the views and tables it replaces. That lock waits at most the lock
 * timeout: queries of a view queue behind a swap that waits for it, so a long reader would otherwise hold every other
 * reader up; past the timeout the swap rolls back with {@link ReadModelRebuild.SwapBlocked}, naming the sessions that
 * hold the lock. Swapped tables and recreated views keep the privileges
 * granted on them (to roles or to PUBLIC) and views their comments; column-level privileges and a view owner other
 * than the rebuilding role are not carried over. The bookkeeping tables (offsets, dead-letter decisions) are never
 * copied or swapped.
 */
public final class PostgresReadModelRebuild implements ReadModelRebuild {

    static final String LIVE = "projection";
    static final String COPIES = "projection_rebuild";

    /** The key of the session-level advisory lock one rebuild holds: "polyglot" in ASCII. */
    static final long REBUILD_LOCK = 0x706f6c79676c6f74L;

    private static final String OFFSETS_TABLE = PROJECTION_OFFSETS.getName();
    private static final String RESOLUTIONS_TABLE = DEAD_LETTER_RESOLUTION.getName();

    /** SQLSTATE {@code lock_not_available}: a lock was not granted within {@code lock_timeout}. */
    private static final String LOCK_NOT_AVAILABLE = "55P03";

    private final DataSource dataSource;
    private final String consumerGroup;
    private final Duration lockTimeout;
    private final DSLContext live;
    private Connection lockHolder;

    /**
     * @param lockTimeout how long a swap waits for the views and tables it replaces before it rolls back, at least a
     *     millisecond
     */
    public PostgresReadModelRebuild(DataSource dataSource, String consumerGroup, Duration lockTimeout) {
        if (lockTimeout.toMillis() < 1) {
            throw new IllegalArgumentException("the lock timeout must be at least 1 ms, not " + lockTimeout);
        }
        this.dataSource = dataSource;
        this.consumerGroup = consumerGroup;
        this.lockTimeout = lockTimeout;
        this.live = DSL.using(dataSource, SQLDialect.POSTGRES);
    }

    @Override
    public List<String> views() {
        return List.copyOf(ReadModelViews.TABLES_BEHIND.keySet());
    }

    @Override
    public boolean tryLock() {
        try {
            Connection connection = dataSource.getConnection();
            try (PreparedStatement statement = connection.prepareStatement("select pg_try_advisory_lock(?)")) {
                statement.setLong(1, REBUILD_LOCK);
                try (ResultSet result = statement.executeQuery()) {
                    result.next();
                    if (result.getBoolean(1)) {
                        lockHolder = connection;
                        return true;
                    }
                }
            }
            connection.close();
            return false;
        } catch (SQLException e) {
            throw unavailable("taking the rebuild lock", e);
        }
    }

    @Override
    public void prepareCopies() {
        inTransaction(connection -> {
            execute(connection, "drop schema if exists " + COPIES + " cascade");
            execute(connection, "create schema " + COPIES);
            for (String table : liveTables(connection)) {
                execute(
                        connection,
                        "create table " + COPIES + "." + quoted(table) + " (like " + LIVE + "." + quoted(table)
                                + " including all)");
            }
        });
    }

    @Override
    public ReadModelStore copies() {
        Settings copies = new Settings()
                .withRenderMapping(new RenderMapping()
                        .withSchemata(new MappedSchema().withInput(LIVE).withOutput(COPIES)));
        return new PostgresReadModelStore(
                DSL.using(dataSource, SQLDialect.POSTGRES, copies), consumerGroup, BatchPause.NONE);
    }

    @Override
    public Map<Integer, Long> storedOffsets(String topic) {
        try {
            return live.select(PROJECTION_OFFSETS.PARTITION, PROJECTION_OFFSETS.NEXT_OFFSET)
                    .from(PROJECTION_OFFSETS)
                    .where(PROJECTION_OFFSETS.CONSUMER_GROUP.eq(consumerGroup))
                    .and(PROJECTION_OFFSETS.TOPIC.eq(topic))
                    .fetchMap(PROJECTION_OFFSETS.PARTITION, PROJECTION_OFFSETS.NEXT_OFFSET);
        } catch (org.jooq.exception.DataAccessException e) {
            throw new ReadModelUnavailableException("reading the stored offsets failed", e);
        }
    }

    @Override
    public Swapped swap(
            String topic,
            List<String> views,
            Consumer<Map<Integer, Long>> catchUpTo,
            Optional<DeadLetterSource> retried) {
        List<String> tables = tablesBehind(views);
        Swapped[] swapped = new Swapped[1];
        List<String> replaced = new ArrayList<>();
        try {
            swapInOneTransaction(topic, tables, catchUpTo, retried, swapped, replaced);
        } catch (ReadModelUnavailableException e) {
            if (e.getCause() instanceof SQLException sql && LOCK_NOT_AVAILABLE.equals(sql.getSQLState())) {
                throw new SwapBlocked(lockTimeout, lockHolders(replaced));
            }
            throw e;
        }
        return swapped[0];
    }

    private void swapInOneTransaction(
            String topic,
            List<String> tables,
            Consumer<Map<Integer, Long>> catchUpTo,
            Optional<DeadLetterSource> retried,
            Swapped[] swapped,
            List<String> replaced) {
        inTransaction(connection -> {
            execute(connection, "lock table " + LIVE + "." + OFFSETS_TABLE + " in exclusive mode");
            if (retried.isPresent()) {
                recordRetry(connection, retried.get());
            }
            Map<Integer, Long> offsets = lockedOffsets(connection, topic);
            catchUpTo.accept(offsets);
            Map<String, Long> differing = new LinkedHashMap<>();
            for (String table : tables) {
                differing.put(table, rowsDiffering(connection, table));
            }
            List<DependentView> dependents = dependentViews(connection, tables);
            dependents.forEach(view -> replaced.add(view.qualifiedName()));
            tables.forEach(table -> replaced.add(quoted(LIVE) + "." + quoted(table)));
            lockForTheSwap(connection, replaced);
            for (DependentView view : dependents) {
                execute(connection, "drop view if exists " + view.qualifiedName() + " cascade");
            }
            for (String table : tables) {
                String live = quoted(LIVE) + "." + quoted(table);
                List<String> grants = grants(connection, live);
                execute(connection, "drop table " + live);
                execute(connection, "alter table " + COPIES + "." + quoted(table) + " set schema " + LIVE);
                for (String grant : grants) {
                    execute(connection, grant);
                }
            }
            for (DependentView view : dependents) {
                view.recreate(connection);
            }
            execute(connection, "drop schema " + COPIES + " cascade");
            swapped[0] = new Swapped(
                    offsets,
                    tables,
                    differing,
                    dependents.stream().map(DependentView::qualifiedName).toList());
        });
    }

    @Override
    public void dropCopies() {
        inTransaction(connection -> execute(connection, "drop schema if exists " + COPIES + " cascade"));
    }

    /**
     * Locks the views, then the tables, the swap replaces, in the order a query of a view locks them (so a reader
     * arriving meanwhile cannot deadlock with the swap), waiting for each at most the lock timeout, which stays in
     * force for the rest of the transaction.
     */
    private void lockForTheSwap(Connection connection, List<String> relations) throws SQLException {
        execute(connection, "set local lock_timeout = " + lockTimeout.toMillis());
        execute(connection, "lock table " + String.join(", ", relations) + " in access exclusive mode");
    }

    /**
     * The other sessions holding a lock on any of {@code relations} (quoted, qualified names), by pid: those a swap
     * waited for. Their start times and states come from {@code pg_stat_activity}, which shows them for sessions of
     * other logins only to a login with {@code pg_read_all_stats}.
     */
    private List<LockHolder> lockHolders(List<String> relations) {
        String sql = "select l.pid, a.usename, a.state, case when a.state like 'idle%' then a.xact_start"
                + " else a.query_start end from (select distinct pid from pg_locks where locktype = 'relation'"
                + " and granted and pid <> pg_backend_pid()"
                + " and database = (select oid from pg_database where datname = current_database())"
                + " and relation in (select cast(r.relation as regclass)"
                + " from unnest(cast(? as text[])) as r(relation))) l"
                + " left join pg_stat_activity a on a.pid = l.pid order by l.pid";
        List<LockHolder> holders = new ArrayList<>();
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setArray(1, connection.createArrayOf("text", relations.toArray()));
            try (ResultSet result = statement.executeQuery()) {
                while (result.next()) {
                    Timestamp since = result.getTimestamp(4);
                    holders.add(new LockHolder(
                            result.getInt(1),
                            String.valueOf(result.getString(2)),
                            Optional.ofNullable(result.getString(3)),
                            Optional.ofNullable(since).map(Timestamp::toInstant)));
                }
            }
        } catch (SQLException e) {
            throw unavailable("reading who holds the views", e);
        }
        return holders;
    }

    @Override
    public void close() {
        if (lockHolder != null) {
            try {
                lockHolder.close();
            } catch (SQLException e) {
                // Closing the session releases its advisory lock on the server whatever the driver reports.
            }
            lockHolder = null;
        }
    }

    private static List<String> tablesBehind(List<String> views) {
        Set<String> tables = new LinkedHashSet<>();
        for (String view : views) {
            List<Table<?>> behind = ReadModelViews.TABLES_BEHIND.get(view);
            if (behind == null) {
                throw new IllegalArgumentException("no view " + view + " is registered for rebuilds");
            }
            behind.forEach(table -> tables.add(table.getName()));
        }
        return List.copyOf(tables);
    }

    private List<String> liveTables(Connection connection) throws SQLException {
        List<String> tables = new ArrayList<>();
        try (PreparedStatement statement = connection.prepareStatement(
                "select tablename from pg_tables where schemaname = ? and tablename <> all(?) order by tablename")) {
            statement.setString(1, LIVE);
            statement.setArray(2, connection.createArrayOf("text", new String[] {OFFSETS_TABLE, RESOLUTIONS_TABLE}));
            try (ResultSet result = statement.executeQuery()) {
                while (result.next()) {
                    tables.add(result.getString(1));
                }
            }
        }
        return tables;
    }

    /**
     * Inserts the retry's decision; the transaction holds the offsets lock, which a skip does not take, so the row is
     * checked for, not assumed absent.
     */
    private void recordRetry(Connection connection, DeadLetterSource source) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("insert into " + LIVE + "." + RESOLUTIONS_TABLE
                + " (consumer_group, topic, partition, source_offset, resolution) values (?, ?, ?, ?, ?)"
                + " on conflict do nothing returning resolution")) {
            statement.setString(1, consumerGroup);
            statement.setString(2, source.topic());
            statement.setInt(3, source.partition());
            statement.setLong(4, source.offset());
            statement.setString(5, DeadLetterResolutions.Resolution.RETRIED.json());
            try (ResultSet inserted = statement.executeQuery()) {
                if (inserted.next()) {
                    return;
                }
            }
        }
        try (PreparedStatement statement =
                connection.prepareStatement("select resolution from " + LIVE + "." + RESOLUTIONS_TABLE
                        + " where consumer_group = ? and topic = ? and partition = ? and source_offset = ?")) {
            statement.setString(1, consumerGroup);
            statement.setString(2, source.topic());
            statement.setInt(3, source.partition());
            statement.setLong(4, source.offset());
            try (ResultSet existing = statement.executeQuery()) {
                existing.next();
                throw new ReadModelRebuild.AlreadyDecided(
                        source, PostgresDeadLetterResolutions.parse(existing.getString(1)));
            }
        }
    }

    /**
     * The statements that grant again what is granted on {@code relation} (a quoted, qualified name) to anyone but its
     * owner, whose rights come with ownership.
     */
    static List<String> grants(Connection connection, String relation) throws SQLException {
        List<String> grants = new ArrayList<>();
        try (PreparedStatement statement = connection.prepareStatement(
                "select case when a.grantee = 0 then 'PUBLIC' else quote_ident(r.rolname) end, a.privilege_type,"
                        + " a.is_grantable from pg_class c cross join lateral aclexplode(c.relacl) a"
                        + " left join pg_roles r on r.oid = a.grantee"
                        + " where c.oid = cast(? as regclass) and a.grantee <> c.relowner"
                        + " order by 1, 2")) {
            statement.setString(1, relation);
            try (ResultSet result = statement.executeQuery()) {
                while (result.next()) {
                    grants.add("grant " + result.getString(2) + " on table " + relation + " to " + result.getString(1)
                            + (result.getBoolean(3) ? " with grant option" : ""));
                }
            }
        }
        return grants;
    }

    private Map<Integer, Long> lockedOffsets(Connection connection, String topic) throws SQLException {
        Map<Integer, Long> offsets = new LinkedHashMap<>();
        try (PreparedStatement statement = connection.prepareStatement("select partition, next_offset from " + LIVE
                + "." + OFFSETS_TABLE + " where consumer_group = ? and topic = ? order by partition")) {
            statement.setString(1, consumerGroup);
            statement.setString(2, topic);
            try (ResultSet result = statement.executeQuery()) {
                while (result.next()) {
                    offsets.put(result.getInt(1), result.getLong(2));
                }
            }
        }
        return offsets;
    }

    private static long rowsDiffering(Connection connection, String table) throws SQLException {
        String live = LIVE + "." + quoted(table);
        String copy = COPIES + "." + quoted(table);
        String sql = "select count(*) from ((table " + live + " except all table " + copy + ") union all (table " + copy
                + " except all table " + live + ")) differing";
        try (Statement statement = connection.createStatement();
                ResultSet result = statement.executeQuery(sql)) {
            result.next();
            return result.getLong(1);
        }
    }

    /** Every view that reads the tables, directly or through another view, in the order they were created. */
    private static List<DependentView> dependentViews(Connection connection, List<String> tables) throws SQLException {
        String sql = """
                with recursive dependent(oid) as (
                    select r.ev_class from pg_depend d join pg_rewrite r on r.oid = d.objid
                    where d.classid = 'pg_rewrite'::regclass and r.ev_class <> d.refobjid
                      and d.refobjid in (select c.oid from pg_class c join pg_namespace n on n.oid = c.relnamespace
                                         where n.nspname = ? and c.relname = any(?))
                    union
                    select r.ev_class from pg_depend d join pg_rewrite r on r.oid = d.objid
                    join dependent x on d.refobjid = x.oid
                    where d.classid = 'pg_rewrite'::regclass and r.ev_class <> d.refobjid
                )
                select distinct c.oid::bigint, n.nspname, c.relname, pg_get_viewdef(c.oid),
                       obj_description(c.oid, 'pg_class')
                from dependent x join pg_class c on c.oid = x.oid join pg_namespace n on n.oid = c.relnamespace
                where c.relkind = 'v'
                order by 1
                """;
        List<DependentView> views = new ArrayList<>();
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setString(1, LIVE);
            statement.setArray(2, connection.createArrayOf("text", tables.toArray()));
            try (ResultSet result = statement.executeQuery()) {
                while (result.next()) {
                    String qualified = quoted(result.getString(2)) + "." + quoted(result.getString(3));
                    views.add(new DependentView(
                            result.getString(2),
                            result.getString(3),
                            result.getString(4),
                            result.getString(5),
                            columnComments(connection, result.getLong(1)),
                            grants(connection, qualified)));
                }
            }
        }
        return views;
    }

    private static Map<String, String> columnComments(Connection connection, long view) throws SQLException {
        Map<String, String> comments = new LinkedHashMap<>();
        try (PreparedStatement statement =
                connection.prepareStatement("select a.attname, d.description from pg_description d join pg_attribute a"
                        + " on a.attrelid = d.objoid and a.attnum = d.objsubid"
                        + " where d.objoid = ?::oid and d.classoid = 'pg_class'::regclass and d.objsubid > 0"
                        + " order by a.attnum")) {
            statement.setLong(1, view);
            try (ResultSet result = statement.executeQuery()) {
                while (result.next()) {
                    comments.put(result.getString(1), result.getString(2));
                }
            }
        }
        return comments;
    }

    private void inTransaction(SqlWork work) {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                work.run(connection);
                connection.commit();
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw unavailable("the rebuild's transaction", e);
        }
    }

    private static void execute(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    private static String quoted(String identifier) {
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }

    private static String literal(String text) {
        return "'" + text.replace("'", "''") + "'";
    }

    private static ReadModelUnavailableException unavailable(String what, SQLException e) {
        return new ReadModelUnavailableException(what + " failed (SQL state " + e.getSQLState() + ")", e);
    }

    @FunctionalInterface
    private interface SqlWork {
        void run(Connection connection) throws SQLException;
    }

    /** A view to drop before its tables are swapped and to create again, as it was, after. */
    private record DependentView(
            String schema,
            String name,
            String definition,
            String comment,
            Map<String, String> columnComments,
            List<String> grants) {

        String qualifiedName() {
            return quoted(schema) + "." + quoted(name);
        }

        void recreate(Connection connection) throws SQLException {
            execute(connection, "create view " + qualifiedName() + " as " + definition);
            if (comment != null) {
                execute(connection, "comment on view " + qualifiedName() + " is " + literal(comment));
            }
            for (Map.Entry<String, String> column : columnComments.entrySet()) {
                execute(
                        connection,
                        "comment on column " + qualifiedName() + "." + quoted(column.getKey()) + " is "
                                + literal(column.getValue()));
            }
            for (String grant : grants) {
                execute(connection, grant);
            }
        }
    }
}
