package io.polyglot.bench;

import io.polyglot.deploy.JavaOptions;
import io.polyglot.deploy.PolyglotStack;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One bench run: a local stack of its own in a fresh home under the output folder, the log's events, each stage's
 * rounds (ours, then raw, in turns), the report, and the stack stopped by pid and wiped whatever happened. The run
 * keeps to its budget ({@link Pace#budget()}) as its {@link RunPlan} says: a full run plans its rounds to fit, skips
 * a stage or a round that would not end in time, and when the budget runs out while a stage measures, stops it (the
 * report says so); the stack's stop and the report come after that.
 */
final class BenchRun {
    private static final Logger log = LoggerFactory.getLogger(BenchRun.class);
    private static final String LOG = "bpic2012/bpic2012.xes.gz";

    private final Path repoRoot;
    private final Path out;
    private final String mode;
    private final Pace pace;
    private final Clock clock;
    private final boolean profile;
    private final List<StageTime> times = new ArrayList<>();
    private volatile boolean budgetRanOut;
    private long deadline;
    private double startSeconds;

    BenchRun(Path repoRoot, Path out, String mode, Pace pace, boolean profile, Clock clock) {
        this.repoRoot = repoRoot;
        this.out = out;
        this.mode = mode;
        this.pace = pace;
        this.profile = profile;
        this.clock = clock;
    }

    /** Runs {@code stages}, writes the report, and returns it. */
    BenchReport run(List<BenchStage> stages) {
        Instant started = clock.instant();
        long startNanos = System.nanoTime();
        deadline = startNanos + pace.budget().minus(RunPlan.STOP).toNanos();
        RunPlan plan = RunPlan.of(stages, pace);
        List<String> planned = stages.stream()
                .map(stage -> stage.id() + " x" + plan.rounds(stage))
                .toList();
        if (pace.budgetStops()) {
            log.info(
                    "Plan: {} in about {} s of a budget of {} s",
                    planned,
                    plan.planned().toSeconds(),
                    pace.budget().toSeconds());
        } else {
            // The plan's costs are a full run's; a smoke run's budget is only reported.
            log.info(
                    "Plan: {}, within a budget of {} s if the machine allows",
                    planned,
                    pace.budget().toSeconds());
        }
        ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "bench-budget");
            thread.setDaemon(true);
            return thread;
        });
        if (pace.budgetStops()) {
            Thread measuring = Thread.currentThread();
            watchdog.schedule(
                    () -> {
                        budgetRanOut = true;
                        log.warn(
                                "The run's budget of {} s ran out; stopping what measures",
                                pace.budget().toSeconds());
                        measuring.interrupt();
                    },
                    deadline - System.nanoTime(),
                    TimeUnit.NANOSECONDS);
        }
        // A smoke run that measures memory starts the services with its heap at once, instead of restarting them for
        // it: a smoke's figures say nothing of speed, and three JVM starts are a large part of its two minutes.
        boolean smallHeapFromStart =
                !pace.budgetStops() && stages.stream().anyMatch(stage -> stage instanceof MemoryStage);
        JavaOptions options = smallHeapFromStart ? MemoryStage.javaOptions(out.resolve("logs")) : JavaOptions.none();
        String label = smallHeapFromStart ? MemoryStage.LABEL : "";
        PolyglotStack stack = PolyglotStack.at(freshHome(), repoRoot)
                .withJavaOptions(options)
                .reportingTo(line -> log.info("stack: {}", line));
        Thread stopOnExit = new Thread(() -> stack.down(true), "bench-stack-down");
        Runtime.getRuntime().addShutdownHook(stopOnExit);
        List<StageReport> reports = new ArrayList<>();
        List<ProcessPeak> processes = new ArrayList<>();
        long stopNanos;
        try {
            // The services' GC logs go there; a JVM does not start when its log's folder is missing.
            Files.createDirectories(out.resolve("logs"));
            reports.addAll(runOn(stack, options, label, stages, processes, plan));
        } catch (RuntimeException | IOException e) {
            log.error("The stack could not be started or used; no stage ran", e);
            for (BenchStage stage : stages) {
                if (reports.stream().noneMatch(done -> done.id().equals(stage.id()))) {
                    reports.add(StageReport.failed(stage, List.of(), "the stack failed: " + e.getMessage()));
                }
            }
        } finally {
            watchdog.shutdownNow();
            // An interrupt the watchdog sent after the last stage must not cut the stack's stop short.
            Thread.interrupted();
            stopNanos = System.nanoTime();
            stack.down(true);
            Runtime.getRuntime().removeShutdownHook(stopOnExit);
        }
        BenchReport report = new BenchReport(
                mode,
                pace,
                started,
                (System.nanoTime() - startNanos) / 1e9,
                Machine.current(),
                List.copyOf(reports),
                List.copyOf(processes),
                new BenchReport.Times(startSeconds, (System.nanoTime() - stopNanos) / 1e9, List.copyOf(times)));
        report.write(out);
        log.info("Report written to {} and {}", out.resolve("report.md"), out.resolve("report.json"));
        return report;
    }

    private List<StageReport> runOn(
            PolyglotStack stack,
            JavaOptions options,
            String label,
            List<BenchStage> stages,
            List<ProcessPeak> processes,
            RunPlan plan) {
        long startNanos = System.nanoTime();
        stack.up();
        Path file = repoRoot.resolveSibling("shared").resolve("datasets").resolve(LOG);
        List<LogEvent> events = CommandLines.interleaved(XesLog.read(file, pace.logEvents()), 64);
        log.info("Read {} events of {}", events.size(), file);
        List<StageReport> reports = new ArrayList<>();
        try (StageContext context = new StageContext(pace, stack, options, label, repoRoot, out, profile, events)) {
            try {
                context.awaitDecider();
                context.warmUpStack();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StageFailedException("interrupted while waiting for the decider", e);
            }
            startSeconds = (System.nanoTime() - startNanos) / 1e9;
            for (BenchStage stage : stages) {
                Duration left = Duration.ofNanos(deadline - System.nanoTime());
                if (budgetRanOut || !plan.fits(plan.leastOf(stage), left.plus(RunPlan.STOP))) {
                    String why = String.format(
                            Locale.ROOT,
                            "not run: %.0f s of the run's budget of %d s were left, and the stage takes about %d s",
                            Math.max(0, left.toMillis() / 1000.0),
                            pace.budget().toSeconds(),
                            plan.leastOf(stage).toSeconds());
                    log.warn("Stage {} {}", stage.id(), why);
                    reports.add(StageReport.failed(stage, List.of(), why));
                    times.add(new StageTime(stage.id(), 0, plan.rounds(stage), 0, why));
                    continue;
                }
                reports.add(runStage(stage, context, plan));
            }
            if (budgetRanOut) {
                Thread.interrupted();
            }
            processes.addAll(context.processPeaks());
        }
        processes.add(peak("bench", ProcessHandle.current().pid()));
        return reports;
    }

    private StageReport runStage(BenchStage stage, StageContext context, RunPlan plan) {
        long start = System.nanoTime();
        int planned = plan.rounds(stage);
        List<Map<String, Figure>> rounds = new ArrayList<>();
        String[] cut = {null};
        try {
            context.createRawTopics(stage.id(), planned);
            stage.before(context);
            runRounds(stage, context, rounds, plan, cut);
            StageReport report = StageReport.of(stage, rounds);
            log.info("Stage {} done: target {} {}", stage.id(), stage.target(), report.met() ? "met" : "missed");
            return report;
        } catch (InterruptedException e) {
            if (!budgetRanOut) {
                Thread.currentThread().interrupt();
            }
            return StageReport.failed(stage, rounds, stopped("interrupted"));
        } catch (Exception e) {
            log.error("Stage {} could not run", stage.id(), e);
            return StageReport.failed(stage, rounds, stopped(String.valueOf(e.getMessage())));
        } finally {
            // The watchdog's interrupt stops the measurement, not the stage's cleanup.
            boolean interrupted = Thread.interrupted();
            try {
                stage.after(context);
            } catch (Exception e) {
                log.warn("Stage {} could not clean up after itself", stage.id(), e);
            }
            if (budgetRanOut && cut[0] == null) {
                cut[0] = "stopped in round " + (rounds.size() + 1) + " when the run's budget ran out";
            }
            times.add(new StageTime(stage.id(), (System.nanoTime() - start) / 1e9, planned, rounds.size(), cut[0]));
            if (interrupted && !budgetRanOut) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private String stopped(String error) {
        return budgetRanOut
                ? "stopped when the run's budget of " + pace.budget().toSeconds() + " s ran out"
                : error;
    }

    private void runRounds(
            BenchStage stage, StageContext context, List<Map<String, Figure>> rounds, RunPlan plan, String[] cut)
            throws Exception {
        int count = plan.rounds(stage);
        List<Duration> taken = new ArrayList<>();
        for (int round = 1; round <= count; round++) {
            Duration left = Duration.ofNanos(deadline - System.nanoTime()).plus(RunPlan.STOP);
            if (round > 1 && !plan.fits(plan.nextRound(stage, taken), left)) {
                cut[0] = "rounds " + round + " to " + count + " not run: " + left.toSeconds()
                        + " s of the budget were left, a round takes about "
                        + plan.nextRound(stage, taken).toSeconds() + " s";
                log.warn("Stage {}: {}", stage.id(), cut[0]);
                return;
            }
            long roundStart = System.nanoTime();
            log.info("Stage {} round {} of {}: ours", stage.id(), round, count);
            Map<String, Figure> figures = new LinkedHashMap<>(stage.ours(context, round));
            log.info("Stage {} round {} of {}: raw", stage.id(), round, count);
            for (Map.Entry<String, Figure> raw : stage.raw(context, round).entrySet()) {
                if (figures.putIfAbsent(raw.getKey(), raw.getValue()) != null) {
                    throw new IllegalStateException(
                            "stage " + stage.id() + " names figure " + raw.getKey() + " on both sides");
                }
            }
            rounds.add(figures);
            taken.add(Duration.ofNanos(System.nanoTime() - roundStart));
        }
    }

    private static ProcessPeak peak(String name, long pid) {
        return new ProcessPeak(name, pid, Machine.peakRssKiB(pid).orElse(-1L));
    }

    private Path freshHome() {
        try {
            Files.createDirectories(out);
            return Files.createTempDirectory(out, "stack-");
        } catch (IOException e) {
            throw new UncheckedIOException("could not create a stack home in " + out, e);
        }
    }
}
