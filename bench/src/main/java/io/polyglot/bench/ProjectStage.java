package io.polyglot.bench;

import io.polyglot.schemas.EventCodec;
import io.polyglot.schemas.avro.ActivityRecorded;
import io.polyglot.schemas.avro.EventEnvelope;
import io.polyglot.stack.FreePorts;
import java.io.StringReader;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.postgresql.PGConnection;

/**
 * {@code project}: events per second applied to the read models by the real projection worker (the
 * projection-worker jar as its own process, alone on the stack: the stack's own workers are stopped meanwhile),
 * draining a topic of its own pre-filled with copies of the pipeline's BPI 2012 events, from its first poll to the
 * stored offsets ({@code projection_offsets}) at the end of the topic, after a warm-up fill it drains unmeasured
 * first (its rate reported beside), as the raw sides warm up. Against, on the same PostgreSQL with the same
 * events: one {@code INSERT ... ON CONFLICT DO NOTHING} per event in autocommit, and one {@code COPY} of one row per
 * event; both write a plain table of one row per event, formatted beforehand, so they measure PostgreSQL alone.
 */
final class ProjectStage implements BenchStage {
    /** The projection worker's metrics that leave 0 once its first poll returned events. */
    private static final List<String> STARTED = List.of("polyglot_consumer_lag", "polyglot_events_projected_total");

    private static final String APPLIED = "applied";
    private static final String INSERTS = "per-event insert";
    private static final String COPY = "copy";
    private static final String COLUMNS =
            "aggregate_id, aggregate_version, event_id, activity, lifecycle, resource, occurred_at";

    private final Map<Integer, EventPrefill.Filled> filled = new HashMap<>();
    private final EventCodec codec = EventCodec.standard();

    @Override
    public String id() {
        return "project";
    }

    @Override
    public String target() {
        return "events/s applied to the read models >= 20x per-event INSERT ... ON CONFLICT in autocommit,"
                + " >= 0.4 of COPY";
    }

    @Override
    public void before(StageContext context) throws Exception {
        context.pipelineEvents();
        List<String> topics = new ArrayList<>();
        for (int round = 1; round <= context.pace().rounds(); round++) {
            topics.add(topic(round));
        }
        context.createTopics(topics);
        try (Connection db = connect(context);
                Statement sql = db.createStatement()) {
            sql.execute("CREATE SCHEMA IF NOT EXISTS bench");
        }
        context.stopStackWorkers();
    }

    @Override
    public Map<String, Figure> ours(StageContext context, int round) throws Exception {
        EventPrefill prefill = new EventPrefill(context.bootstrap(), context.pipelineEvents());
        int warmupEvents = prefill.warmUp(
                topic(round), context.partitions(), context.pace().workerWarmupPerPartition(), "project-r" + round);
        EventPrefill.Filled fill = prefill.fill(
                topic(round), context.partitions(), context.pace().prefillPerPartition(), "project-r" + round);
        filled.put(round, fill);
        long end = fill.end().values().stream().mapToLong(Long::longValue).sum();
        String group = "bench-projection-r" + round;

        int port = FreePorts.pick();
        Map<String, String> env = new LinkedHashMap<>();
        env.put("KAFKA_BOOTSTRAP_SERVERS", context.bootstrap());
        env.put("DATABASE_URL", context.env().get("DATABASE_URL"));
        env.put("HTTP_HOST", "127.0.0.1");
        env.put("HEALTH_PORT", Integer.toString(port));
        env.put("PROJECTION_TOPIC", topic(round));
        env.put("PROJECTION_GROUP", group);
        Map<String, Figure> figures = new LinkedHashMap<>();
        try (Connection db = connect(context);
                PreparedStatement stored = db.prepareStatement("SELECT coalesce(sum(next_offset), 0)"
                        + " FROM projection.projection_offsets WHERE consumer_group = ? AND topic = ?");
                WorkerProcess worker = context.startWorker("projection-r" + round, "projection-worker", env, port)) {
            stored.setString(1, group);
            stored.setString(2, topic(round));
            WorkerDrain.Drains drains = WorkerDrain.measure(
                    worker, STARTED, () -> storedOffsets(stored), warmupEvents, () -> storedOffsets(stored) >= end);
            WorkerDrain.Drain drain = drains.measured();
            figures.put(APPLIED, new Figure(drain.eventsPerSecond(), "events/s"));
            figures.put("applied: CPU per event", new Figure(drain.cpuMicrosPerEvent(), "us"));
            drains.warmup()
                    .ifPresent(warmup -> figures.put(
                            "applied: the fresh worker's warm-up", new Figure(warmup.eventsPerSecond(), "events/s")));
            figures.put("events per run", new Figure(fill.count(), "events"));
            figures.put("warm-up events per run", new Figure(warmupEvents, "events"));
            figures.put(
                    "skipped by the worker",
                    new Figure(worker.metric("polyglot_projection_records_skipped_total"), "events"));
            figures.put(
                    "transactions", new Figure(worker.metric("polyglot_projection_batch_seconds_count"), "batches"));
            worker.close();
            figures.put("projection worker peak RSS", new Figure(worker.peakRssKiB() / 1024.0, "MiB"));
        }
        return figures;
    }

    private static long storedOffsets(PreparedStatement stored) {
        try (ResultSet rows = stored.executeQuery()) {
            rows.next();
            return rows.getLong(1);
        } catch (SQLException e) {
            throw new StageFailedException("could not read projection_offsets", e);
        }
    }

    @Override
    public Map<String, Figure> raw(StageContext context, int round) throws Exception {
        List<Row> rows = rows(filled.remove(round).events());
        Map<String, Figure> figures = new LinkedHashMap<>();
        try (Connection db = connect(context)) {
            db.setAutoCommit(true);
            insertEach(
                    db,
                    table("insert_warm", round),
                    rows,
                    context.pace().warmup().toNanos());
            long start = System.nanoTime();
            int inserted = insertEach(
                    db, table("insert", round), rows, context.pace().measure().toNanos());
            figures.put(INSERTS, new Figure(inserted / ((System.nanoTime() - start) / 1e9), "events/s"));

            copy(db, table("copy_warm", round), copyText(rows.subList(0, Math.max(1, rows.size() / 10))));
            String text = copyText(rows);
            start = System.nanoTime();
            long copied = copy(db, table("copy", round), text);
            figures.put(COPY, new Figure(copied / ((System.nanoTime() - start) / 1e9), "events/s"));
        }
        return figures;
    }

    /** One row per event: what both raw sides write. */
    private record Row(
            String aggregateId,
            long aggregateVersion,
            String eventId,
            String activity,
            String lifecycle,
            String resource,
            Instant occurredAt) {}

    private List<Row> rows(List<EventEnvelope> events) {
        List<Row> rows = new ArrayList<>(events.size());
        for (EventEnvelope event : events) {
            ActivityRecorded payload =
                    (ActivityRecorded) codec.decodePayload(event.getPayload().duplicate());
            rows.add(new Row(
                    event.getAggregateId(),
                    event.getAggregateVersion(),
                    event.getEventId(),
                    payload.getActivity(),
                    payload.getLifecycle(),
                    payload.getResource(),
                    payload.getOccurredAt()));
        }
        return rows;
    }

    /** Inserts rows one statement and one commit each until they run out or {@code nanos} passed; returns how many. */
    private static int insertEach(Connection db, String table, List<Row> rows, long nanos) throws SQLException {
        create(db, table);
        long deadline = System.nanoTime() + nanos;
        int done = 0;
        try (PreparedStatement insert = db.prepareStatement("INSERT INTO " + table + " (" + COLUMNS + ")"
                + " VALUES (?, ?, ?::uuid, ?, ?, ?, ?) ON CONFLICT (aggregate_id, aggregate_version) DO NOTHING")) {
            for (Row row : rows) {
                if (System.nanoTime() >= deadline) {
                    break;
                }
                insert.setString(1, row.aggregateId());
                insert.setLong(2, row.aggregateVersion());
                insert.setString(3, row.eventId());
                insert.setString(4, row.activity());
                setNullable(insert, 5, row.lifecycle());
                setNullable(insert, 6, row.resource());
                insert.setObject(7, OffsetDateTime.ofInstant(row.occurredAt(), ZoneOffset.UTC));
                insert.executeUpdate();
                done++;
            }
        }
        return done;
    }

    private static void setNullable(PreparedStatement statement, int index, String value) throws SQLException {
        if (value == null) {
            statement.setNull(index, Types.VARCHAR);
        } else {
            statement.setString(index, value);
        }
    }

    private static long copy(Connection db, String table, String text) throws Exception {
        create(db, table);
        return db.unwrap(PGConnection.class)
                .getCopyAPI()
                .copyIn("COPY " + table + " (" + COLUMNS + ") FROM STDIN", new StringReader(text));
    }

    /** The rows in COPY's text format: tab-separated, {@code \N} for null, backslash escapes. */
    private static String copyText(List<Row> rows) {
        StringBuilder text = new StringBuilder(rows.size() * 160);
        for (Row row : rows) {
            text.append(escaped(row.aggregateId())).append('\t');
            text.append(row.aggregateVersion()).append('\t');
            text.append(row.eventId()).append('\t');
            text.append(escaped(row.activity())).append('\t');
            text.append(escaped(row.lifecycle())).append('\t');
            text.append(escaped(row.resource())).append('\t');
            text.append(row.occurredAt()).append('\n');
        }
        return text.toString();
    }

    private static String escaped(String value) {
        if (value == null) {
            return "\\N";
        }
        return value.replace("\\", "\\\\")
                .replace("\t", "\\t")
                .replace("\n", "\\n")
                .replace("\r", "\\r");
    }

    private static void create(Connection db, String table) throws SQLException {
        try (Statement sql = db.createStatement()) {
            sql.execute("CREATE TABLE " + table + " (aggregate_id text NOT NULL, aggregate_version bigint NOT NULL,"
                    + " event_id uuid NOT NULL, activity text NOT NULL, lifecycle text, resource text,"
                    + " occurred_at timestamptz NOT NULL, PRIMARY KEY (aggregate_id, aggregate_version))");
        }
    }

    private static String table(String what, int round) {
        return "bench." + what + "_r" + round;
    }

    private static String topic(int round) {
        return "bench.project.r" + round;
    }

    private static Connection connect(StageContext context) throws SQLException {
        return context.database();
    }

    @Override
    public List<Ratio> ratios() {
        return List.of(
                new Ratio("applied / per-event insert", APPLIED, INSERTS), new Ratio("applied / copy", APPLIED, COPY));
    }

    @Override
    public boolean met(Map<String, Summary> figures, Map<String, Summary> ratios) {
        return ratios.get("applied / per-event insert").median() >= 20
                && ratios.get("applied / copy").median() >= 0.4;
    }
}
