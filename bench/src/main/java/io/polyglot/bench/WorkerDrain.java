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
 * make the worker look slower. The worker's CPU time over the same span ({@code /proc/<pid>/stat}) comes with it: unlike
 * the rate, it hardly depends on what else the machine runs.
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

    /**
     * A drain's length and the worker's CPU time in it.
     *
     * @param seconds from the worker's first events to the end
     * @param cpuSeconds the CPU time (user and system) the worker used meanwhile; NaN when unknown
     */
    record Drain(double seconds, double cpuSeconds) {
        /** CPU microseconds per event of {@code events}. */
        double cpuMicrosPer(long events) {
            return cpuSeconds * 1e6 / events;
        }
    }

    /** The drain from the worker's first events to {@code done}. */
    static Drain measure(WorkerProcess worker, List<String> started, Done done) throws InterruptedException {
        long start = System.nanoTime();
        long firstEvents = start;
        double cpuAtFirstEvents = Double.NaN;
        while (System.nanoTime() - start < TIMEOUT.toNanos()) {
            double seen = 0;
            for (String metric : started) {
                seen += worker.metric(metric);
            }
            long now = System.nanoTime();
            if (seen == 0) {
                firstEvents = now;
                cpuAtFirstEvents = Machine.cpuSeconds(worker.pid()).orElse(Double.NaN);
            } else if (done.reached()) {
                double seconds = (System.nanoTime() - firstEvents) / 1e9;
                double cpu = Machine.cpuSeconds(worker.pid()).orElse(Double.NaN) - cpuAtFirstEvents;
                log.info(
                        "Worker pid {} drained its topic in {} s, from {} s after its start",
                        worker.pid(),
                        String.format("%.3f", seconds),
                        String.format("%.3f", (firstEvents - start) / 1e9));
                return new Drain(seconds, cpu);
            }
            Thread.sleep(LOOK.toMillis());
        }
        throw new StageFailedException(
                "the worker (pid " + worker.pid() + ") did not drain its topic within " + TIMEOUT);
    }
}
