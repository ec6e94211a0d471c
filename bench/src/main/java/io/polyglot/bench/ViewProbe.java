package io.polyglot.bench;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches {@code loan_applications} for the rows of aggregates the load opened, on a connection and a thread of its
 * own: while any is awaited it asks for all of them at once, every {@link #PAUSE}, and records for each the time from
 * its command's acceptance to the first look that saw its row. The looks are at most about 1 ms apart plus the
 * query's own time, which is the resolution of the figures.
 */
final class ViewProbe implements AutoCloseable {
    static final Duration PAUSE = Duration.ofMillis(1);

    private static final Logger log = LoggerFactory.getLogger(ViewProbe.class);

    private final Connection db;
    private final PreparedStatement query;
    private final Map<String, Long> awaited = new ConcurrentHashMap<>();
    private final Recorder recorder = new Recorder(3);
    private final Thread thread;
    private volatile boolean running = true;
    private volatile SQLException failure;

    ViewProbe(Connection db) throws SQLException {
        this.db = db;
        this.query = db.prepareStatement(
                "SELECT application_id FROM projection.loan_application WHERE application_id = ANY (?)");
        this.thread = new Thread(this::watch, "bench-view-probe");
        thread.setDaemon(true);
        thread.start();
    }

    /** Awaits the row of {@code aggregateId}, whose command was accepted at {@code acceptedNanos}. */
    void accepted(String aggregateId, long acceptedNanos) {
        awaited.put(aggregateId, acceptedNanos);
    }

    /** Waits until every awaited row showed up or {@code wait} passed; returns how many never showed up. */
    int awaitAll(Duration wait) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        while (!awaited.isEmpty() && System.nanoTime() < deadline && failure == null) {
            Thread.sleep(10);
        }
        if (failure != null) {
            throw new StageFailedException("could not read loan_applications", failure);
        }
        int missing = awaited.size();
        awaited.clear();
        return missing;
    }

    /** The acceptance-to-visible latencies recorded since the last call, in microseconds. */
    Histogram latencies() {
        return recorder.getIntervalHistogram();
    }

    private void watch() {
        while (running) {
            if (awaited.isEmpty()) {
                LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(200));
                continue;
            }
            try {
                Array ids = db.createArrayOf("text", awaited.keySet().toArray());
                query.setArray(1, ids);
                try (ResultSet rows = query.executeQuery()) {
                    long now = System.nanoTime();
                    while (rows.next()) {
                        Long accepted = awaited.remove(rows.getString(1));
                        if (accepted != null) {
                            recorder.recordValue(Math.max(0, (now - accepted) / 1_000));
                        }
                    }
                }
                ids.free();
            } catch (SQLException e) {
                log.warn("The view probe could not read loan_applications", e);
                failure = e;
                return;
            }
            LockSupport.parkNanos(PAUSE.toNanos());
        }
    }

    @Override
    public void close() throws InterruptedException, SQLException {
        running = false;
        thread.join(TimeUnit.SECONDS.toMillis(5));
        query.close();
        db.close();
    }
}
