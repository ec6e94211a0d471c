package io.polyglot.chaos;

import io.polyglot.deploy.ComponentStatus;
import io.polyglot.deploy.PolyglotStack;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.DoubleSupplier;
import java.util.function.Supplier;

/**
 * Does one {@link Fault} to the running stack and brings it back with {@link PolyglotStack#up()}, as an operator
 * running {@code ./polyglot up} would: {@code up} starts whatever does not run on its kept port and data folder, so it
 * also restarts a process that died of the fault on its own, which the outcome reports as unplanned.
 */
final class FaultInjector {

    /**
     * What a fault did.
     *
     * @param fault the fault
     * @param atSeconds when it came, seconds into the run
     * @param killed the processes it ended, name to pid
     * @param recoverySeconds how long {@code up} took to have everything ready again
     * @param restarted the targets as {@code up} started them again, name to pid
     * @param unplanned the other components {@code up} had to start again, with their new pids
     */
    record Outcome(
            Fault fault,
            double atSeconds,
            Map<String, Long> killed,
            double recoverySeconds,
            Map<String, Long> restarted,
            Map<String, Long> unplanned) {}

    private static final Duration EXIT_WAIT = Duration.ofSeconds(30);
    private static final Duration BROKER_STOP_GRACE = Duration.ofSeconds(60);

    private final PolyglotStack stack;
    private final Supplier<List<ComponentStatus>> bringBack;
    private final PidLedger pids;
    private final DoubleSupplier clock;
    private final Consumer<String> out;

    /**
     * @param bringBack starts what does not run, {@link PolyglotStack#up()} unless the run is being stopped; it throws
     *     then, so that no fault's recovery starts the stack again after the run's clean-up stopped it
     */
    FaultInjector(
            PolyglotStack stack,
            Supplier<List<ComponentStatus>> bringBack,
            PidLedger pids,
            DoubleSupplier secondsIntoRun,
            Consumer<String> out) {
        this.stack = stack;
        this.bringBack = bringBack;
        this.pids = pids;
        this.clock = secondsIntoRun;
        this.out = out;
    }

    Outcome inflict(Fault fault) throws InterruptedException {
        Map<String, Long> before = running();
        Map<String, Long> killed = new LinkedHashMap<>();
        for (String target : fault.targets()) {
            Long pid = before.get(target);
            if (pid == null) {
                throw new IllegalStateException(target + " does not run before the " + fault.describe());
            }
            killed.put(target, pid);
        }
        double at = clock.getAsDouble();
        out.accept(String.format(Locale.ROOT, "[%6.1f s] %s (pids %s)", at, fault.describe(), killed.values()));
        for (long pid : killed.values()) {
            ProcessHandle process = ProcessHandle.of(pid).orElseThrow();
            switch (fault.kind()) {
                case KILL_SERVICES, STORAGE_OUTAGE -> kill(List.of(process));
                case RESTART_BROKER -> {
                    // SIGTERM: the broker's controlled shutdown, as KafkaBroker.close() stops it
                    process.destroy();
                    if (!awaitExit(process, BROKER_STOP_GRACE)) {
                        kill(List.of(process));
                    }
                }
                case DATABASE_OUTAGE -> {
                    // the postmaster first, so it starts no new backend, then every backend it left
                    List<ProcessHandle> tree = new ArrayList<>();
                    tree.add(process);
                    tree.addAll(process.descendants().toList());
                    kill(tree);
                }
            }
        }
        if (!fault.outage().isZero()) {
            Thread.sleep(fault.outage().toMillis());
        }
        long started = System.nanoTime();
        List<ComponentStatus> status = bringBack.get();
        pids.recordAll(status);
        double recovery = (System.nanoTime() - started) / 1e9;
        Map<String, Long> after = running();
        Map<String, Long> restarted = new LinkedHashMap<>();
        fault.targets().forEach(target -> restarted.put(target, after.get(target)));
        Map<String, Long> unplanned = new LinkedHashMap<>();
        before.forEach((name, earlier) -> {
            Long now = after.get(name);
            if (!fault.targets().contains(name) && now != null && !now.equals(earlier)) {
                unplanned.put(name, now);
            }
        });
        out.accept(String.format(
                Locale.ROOT,
                "[%6.1f s]   back: %s, everything ready in %.1f s%s",
                clock.getAsDouble(),
                restarted,
                recovery,
                unplanned.isEmpty() ? "" : "; also started again (they had exited): " + unplanned));
        return new Outcome(fault, at, killed, recovery, restarted, unplanned);
    }

    private Map<String, Long> running() {
        List<ComponentStatus> status = stack.status();
        pids.recordAll(status);
        Map<String, Long> running = new LinkedHashMap<>();
        status.stream().filter(c -> c.pid() != null).forEach(c -> running.put(c.name(), c.pid()));
        return running;
    }

    /** SIGKILL ({@code destroyForcibly} on Linux) to each, then waits until all are gone. */
    private static void kill(List<ProcessHandle> processes) {
        processes.forEach(ProcessHandle::destroyForcibly);
        for (ProcessHandle process : processes) {
            if (!awaitExit(process, EXIT_WAIT)) {
                throw new IllegalStateException("pid " + process.pid() + " survived SIGKILL");
            }
        }
    }

    private static boolean awaitExit(ProcessHandle process, Duration timeout) {
        try {
            process.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !process.isAlive();
        } catch (ExecutionException e) {
            return !process.isAlive();
        }
    }
}
