package io.polyglot.bench;

import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How long a worker takes to drain a pre-filled topic: from the last look at its {@code /metrics} at which none of its
 * {@code started} metrics (its own lag, open or applied events: each non-zero once its first poll returned events)
 * showed anything, to the first look at which {@code done} holds. The worker's start (JVM, settings, group join) is not
 * counted; every event it drains is. The looks are 50 ms apart, so the start is placed up to 50 ms early, which can only
 * make the worker look slower.
 */
final class WorkerDrain {
    private static final Logger log = LoggerFactory.getLogger(WorkerDrain.class);
    private static final Duration LOOK = Duration.ofMillis(50);
    private static final Duration TIMEOUT = Duration.ofMinutes(3);

    private WorkerDrain() {}

    /** A condition the drain checks at every look, e.g. that committed offsets reached the end of what was filled. */
    @FunctionalInterface
    interface Done {
        boolean reached() throws InterruptedException;
    }

    /** Seconds from the worker's first events to {@code done}. */
    static double seconds(WorkerProcess worker, List<String> started, Done done) throws InterruptedException {
        long start = System.nanoTime();
        long firstEvents = start;
        while (System.nanoTime() - start < TIMEOUT.toNanos()) {
            double seen = 0;
            for (String metric : started) {
                seen += worker.metric(metric);
            }
            long now = System.nanoTime();
            if (seen == 0) {
                firstEvents = now;
            } else if (done.reached()) {
                double seconds = (System.nanoTime() - firstEvents) / 1e9;
                log.info(
                        "Worker pid {} drained its topic in {} s, from {} s after its start",
                        worker.pid(),
                        String.format("%.3f", seconds),
                        String.format("%.3f", (firstEvents - start) / 1e9));
                return seconds;
            }
            Thread.sleep(LOOK.toMillis());
        }
        throw new StageFailedException(
                "the worker (pid " + worker.pid() + ") did not drain its topic within " + TIMEOUT);
    }
}
