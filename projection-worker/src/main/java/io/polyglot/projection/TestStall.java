package io.polyglot.projection;

import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Test only, never set in production: with system property {@value #STALL_AT_PROPERTY} set to {@code before-commit} or
 * {@code after-commit}, the worker process parks, for good, the thread that brings batch number {@value
 * #STALL_AT_BATCH_PROPERTY} (default 1) of this process to that point, counted in the order batches reach it (an
 * applying thread before the commit, the poll loop after it), so that a test can kill it there with SIGKILL. Without
 * the property it is {@link BatchPause#NONE}.
 */
final class TestStall implements BatchPause {

    static final String STALL_AT_PROPERTY = "polyglot.projection.test.stallAt";
    static final String STALL_AT_BATCH_PROPERTY = "polyglot.projection.test.stallAtBatch";

    private static final Logger log = LoggerFactory.getLogger(TestStall.class);

    private final Point point;
    private final int batch;
    private final AtomicInteger reached = new AtomicInteger();

    private TestStall(Point point, int batch) {
        this.point = point;
        this.batch = batch;
    }

    /** The hook the system properties ask for, or {@link BatchPause#NONE}. */
    static BatchPause fromSystemProperties() {
        String at = System.getProperty(STALL_AT_PROPERTY);
        if (at == null || at.isBlank()) {
            return BatchPause.NONE;
        }
        Point point = Point.valueOf(at.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
        return new TestStall(point, Integer.getInteger(STALL_AT_BATCH_PROPERTY, 1));
    }

    @Override
    public void reached(Point where) {
        if (where != point || reached.incrementAndGet() != batch) {
            return;
        }
        log.warn("Test hook {}: batch {} stalled at {} until the process is killed", STALL_AT_PROPERTY, batch, where);
        while (true) {
            LockSupport.park();
        }
    }
}
