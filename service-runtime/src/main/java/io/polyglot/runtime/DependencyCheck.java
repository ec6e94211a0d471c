package io.polyglot.runtime;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether a server a worker depends on (its database, its object store) answers, for {@code /health/ready}. The check
 * runs only when readiness is asked, at most once per interval, on a thread of its own: an asker waits for it at most
 * the timeout and takes a check that has not answered by then for a failed one, so a server that is down or hangs
 * turns readiness to 503 within about the interval plus the timeout, never holds the health endpoint longer than the
 * timeout, and readiness comes back with the first check that passes.
 */
public final class DependencyCheck implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(DependencyCheck.class);

    private final String dependency;
    private final BooleanSupplier check;
    private final long intervalNanos;
    private final Duration timeout;
    private final ExecutorService runner;
    private final Runnable release;

    private CompletableFuture<Boolean> running;
    private boolean passed;
    private long checkedAt;
    private boolean checkedOnce;

    /**
     * @param dependency what is checked, for the log and the thread's name
     * @param check answers whether the dependency answers; an exception counts as no
     * @param interval the least time between the starts of two checks
     * @param timeout how long an asker waits for a check that runs
     * @param release frees what the check holds (its connection) when the check is closed
     */
    public DependencyCheck(
            String dependency, BooleanSupplier check, Duration interval, Duration timeout, Runnable release) {
        this.dependency = dependency;
        this.check = check;
        this.intervalNanos = interval.toNanos();
        this.timeout = timeout;
        this.release = release;
        this.runner = Executors.newSingleThreadExecutor(runnable -> {
            Thread thread = new Thread(runnable, "check-" + dependency);
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Whether the dependency answered its latest check, starting a new one first when the last is old enough. */
    public boolean passes() {
        CompletableFuture<Boolean> current;
        synchronized (this) {
            if (running == null && (!checkedOnce || System.nanoTime() - checkedAt >= intervalNanos)) {
                long startedAt = System.nanoTime();
                running = CompletableFuture.supplyAsync(this::runCheck, runner)
                        .whenComplete((result, failure) -> finished(startedAt, Boolean.TRUE.equals(result)));
            }
            current = running;
            if (current == null) {
                return passed;
            }
        }
        try {
            return current.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private boolean runCheck() {
        try {
            return check.getAsBoolean();
        } catch (RuntimeException e) {
            log.debug("Check of {} failed", dependency, e);
            return false;
        }
    }

    private synchronized void finished(long startedAt, boolean result) {
        if (checkedOnce && result != passed) {
            log.info("{} {}", dependency, result ? "answers again" : "does not answer");
        }
        passed = result;
        checkedAt = startedAt;
        checkedOnce = true;
        running = null;
    }

    @Override
    public void close() {
        runner.shutdownNow();
        release.run();
    }
}
