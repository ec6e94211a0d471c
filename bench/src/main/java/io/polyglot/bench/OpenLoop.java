package io.polyglot.bench;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * A load generator at a fixed rate: request i is due at {@code start + i / rate} whatever happened to the ones
 * before, and its latency counts from that due time, not from when it was sent, so a stall of the server (or of this
 * client) shows in the figures instead of slowing the load down (coordinated omission corrected). At most
 * {@code maxInFlight} requests are outstanding; a request waiting for a slot is already late, and that is measured.
 */
final class OpenLoop {
    private static final Duration DRAIN = Duration.ofSeconds(30);

    /** What one request came to. */
    enum Outcome {
        /** Answered as the stage wants it (decided, or accepted). */
        ANSWERED,
        /** Answered, but not the answer the stage measures (e.g. still pending after the decision wait). */
        LATE,
        /** Failed: an error status or no answer. */
        FAILED
    }

    /** Sends one request that was due at {@code dueNanos} ({@link System#nanoTime()}). */
    @FunctionalInterface
    interface Request {
        CompletableFuture<Outcome> send(long dueNanos);
    }

    private final int ratePerSecond;
    private final int maxInFlight;

    OpenLoop(int ratePerSecond, int maxInFlight) {
        this.ratePerSecond = ratePerSecond;
        this.maxInFlight = maxInFlight;
    }

    /** Runs {@code request} at the rate for {@code duration}, then waits for the answers still out. */
    Latencies run(Duration duration, Request request) throws InterruptedException {
        Recorder recorder = new Recorder(3);
        LongAdder late = new LongAdder();
        LongAdder failed = new LongAdder();
        Semaphore slots = new Semaphore(maxInFlight);
        long interval = TimeUnit.SECONDS.toNanos(1) / ratePerSecond;
        long count = Math.max(1, duration.toNanos() / interval);
        long start = System.nanoTime();
        for (long i = 0; i < count; i++) {
            long due = start + i * interval;
            for (long wait = due - System.nanoTime(); wait > 0; wait = due - System.nanoTime()) {
                LockSupport.parkNanos(wait);
            }
            slots.acquire();
            CompletableFuture<Outcome> answer;
            try {
                answer = request.send(due);
            } catch (RuntimeException e) {
                answer = CompletableFuture.failedFuture(e);
            }
            answer.whenComplete((outcome, error) -> {
                recorder.recordValue(Math.max(0, (System.nanoTime() - due) / 1_000));
                if (error != null || outcome == Outcome.FAILED) {
                    failed.increment();
                } else if (outcome == Outcome.LATE) {
                    late.increment();
                }
                slots.release();
            });
        }
        long sent = System.nanoTime() - start;
        if (!slots.tryAcquire(maxInFlight, DRAIN.toNanos(), TimeUnit.NANOSECONDS)) {
            throw new IllegalStateException("answers still missing " + DRAIN.toSeconds() + " s after the last request");
        }
        Histogram micros = recorder.getIntervalHistogram();
        double achieved = count / (sent / 1e9);
        return new Latencies(micros, count, late.sum(), failed.sum(), achieved);
    }

    /**
     * The latencies of one run, in microseconds, and what the requests came to.
     *
     * @param micros the histogram of latencies from the due time
     * @param requests requests sent
     * @param late answered, but not as the stage wants
     * @param failed errors and missing answers
     * @param achievedRate requests per second the generator kept up (the target rate unless the client fell behind)
     */
    record Latencies(Histogram micros, long requests, long late, long failed, double achievedRate) {
        /** The latency at {@code percentile} (0..100) in milliseconds. */
        double millis(double percentile) {
            return micros.getValueAtPercentile(percentile) / 1_000.0;
        }

        double maxMillis() {
            return micros.getMaxValue() / 1_000.0;
        }

        /** Puts {@code <name> p50}, {@code p99}, {@code p99.9} and {@code max} in milliseconds into {@code out}. */
        void putInto(Map<String, Figure> out, String name) {
            out.put(name + " p50", new Figure(millis(50), "ms"));
            out.put(name + " p99", new Figure(millis(99), "ms"));
            out.put(name + " p99.9", new Figure(millis(99.9), "ms"));
            out.put(name + " max", new Figure(maxMillis(), "ms"));
        }
    }
}
