package io.polyglot.bench;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How fast a worker drains a pre-filled topic. The worker's start (JVM, settings, group join) is not counted: the
 * drain begins at the last look at its {@code /metrics} at which none of its {@code started} metrics (its own lag,
 * open or applied events: each non-zero once its first poll returned events) showed anything. With a warm-up, the
 * worker first drains that many events of the fill unmeasured (a fresh JVM spends them compiling its own hot code, as
 * the raw side spends its warm-up), and the measured drain begins at the first look at which {@code counted} has
 * reached them. It ends at the first look at which {@code done} holds. The events of a span are what
 * {@code counted} rose by over it; the worker's CPU time ({@code /proc/<pid>/stat}) comes with it: unlike the rate, it
 * hardly depends on what else the machine runs. The looks are 50 ms apart, so a span may come out up to 50 ms too
 * long, which can only make the worker look slower.
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

    /** What the worker has drained so far, in events: a counter of its own or its stored offsets. */
    @FunctionalInterface
    interface Counted {
        double events() throws InterruptedException;
    }

    /**
     * A span of a drain.
     *
     * @param seconds its length
     * @param cpuSeconds the CPU time (user and system) the worker used in it; NaN when unknown
     * @param events what the worker's count of drained events rose by in it
     */
    record Drain(double seconds, double cpuSeconds, double events) {
        double eventsPerSecond() {
            return events / seconds;
        }

        /** CPU microseconds per event drained. */
        double cpuMicrosPerEvent() {
            return cpuSeconds * 1e6 / events;
        }
    }

    /**
     * A drain in two spans.
     *
     * @param warmup the worker's first events, up to the warm-up; empty without one
     * @param measured from there to the end
     */
    record Drains(Optional<Drain> warmup, Drain measured) {}

    /** Where a span starts: the time, the worker's CPU time and its count of drained events at one look. */
    private record Mark(long nanos, double cpuSeconds, double counted) {
        Drain to(Mark end) {
            return new Drain((end.nanos - nanos) / 1e9, end.cpuSeconds - cpuSeconds, end.counted - counted);
        }
    }

    /**
     * The drain from the worker's first events to {@code done}, its first {@code warmupEvents} (by {@code counted})
     * measured apart. A worker that stores the rest of the fill before the next look cannot be measured apart from its
     * warm-up: then the whole drain is the measured one, and there is no warm-up span.
     */
    static Drains measure(WorkerProcess worker, List<String> started, Counted counted, double warmupEvents, Done done)
            throws InterruptedException {
        long start = System.nanoTime();
        Mark first = look(worker, counted);
        Mark from = first;
        Optional<Drain> warmup = Optional.empty();
        boolean seen = false;
        while (System.nanoTime() - start < TIMEOUT.toNanos()) {
            // Once the worker has started, its start metrics are not scraped again: every scrape is work for the
            // worker, whose CPU time is measured (20 scrapes a second were 5 % of a projection worker's CPU).
            worker.requireAlive();
            boolean idle = !seen && started(worker, started) == 0;
            Mark now = look(worker, counted);
            if (idle) {
                first = now;
                from = now;
            } else {
                seen = true;
                if (warmupEvents > 0 && warmup.isEmpty() && now.counted >= warmupEvents) {
                    warmup = Optional.of(first.to(now));
                    from = now;
                    log.info("Worker pid {} warmed up on {} events", worker.pid(), String.format("%.0f", now.counted));
                } else if (done.reached()) {
                    Drain measured = from.to(look(worker, counted));
                    if (measured.events() <= 0) {
                        // A fill this small drains between two looks: the warm-up cannot be told apart, so the whole
                        // drain is what there is to report (smoke runs only: a full run's fill takes seconds).
                        log.warn(
                                "Worker pid {} drained its topic too quickly to measure it apart from its warm-up",
                                worker.pid());
                        warmup = Optional.empty();
                        measured = first.to(look(worker, counted));
                    }
                    log.info(
                            "Worker pid {} drained {} events in {} s",
                            worker.pid(),
                            String.format("%.0f", measured.events()),
                            String.format("%.3f", measured.seconds()));
                    return new Drains(warmup, measured);
                }
            }
            Thread.sleep(LOOK.toMillis());
        }
        throw new StageFailedException(
                "the worker (pid " + worker.pid() + ") did not drain its topic within " + TIMEOUT);
    }

    private static double started(WorkerProcess worker, List<String> started) throws InterruptedException {
        double activity = 0;
        for (String metric : started) {
            activity += worker.metric(metric);
        }
        return activity;
    }

    private static Mark look(WorkerProcess worker, Counted counted) throws InterruptedException {
        return new Mark(System.nanoTime(), Machine.cpuSeconds(worker.pid()).orElse(Double.NaN), counted.events());
    }
}
