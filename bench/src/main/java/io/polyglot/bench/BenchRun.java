package io.polyglot.bench;

import io.polyglot.deploy.PolyglotStack;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One bench run: a local stack of its own in a fresh home under the output folder, the log's events, each stage's
 * rounds (ours, then raw, in turns), the report, and the stack stopped by pid and wiped whatever happened.
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
        PolyglotStack stack = PolyglotStack.at(freshHome(), repoRoot).reportingTo(line -> log.info("stack: {}", line));
        Thread stopOnExit = new Thread(() -> stack.down(true), "bench-stack-down");
        Runtime.getRuntime().addShutdownHook(stopOnExit);
        List<StageReport> reports = new ArrayList<>();
        List<ProcessPeak> processes = new ArrayList<>();
        try {
            reports.addAll(runOn(stack, stages, processes));
        } catch (RuntimeException e) {
            log.error("The stack could not be started or used; no stage ran", e);
            for (BenchStage stage : stages) {
                if (reports.stream().noneMatch(done -> done.id().equals(stage.id()))) {
                    reports.add(StageReport.failed(stage, List.of(), "the stack failed: " + e.getMessage()));
                }
            }
        } finally {
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
                List.copyOf(processes));
        report.write(out);
        log.info("Report written to {} and {}", out.resolve("report.md"), out.resolve("report.json"));
        return report;
    }

    private List<StageReport> runOn(PolyglotStack stack, List<BenchStage> stages, List<ProcessPeak> processes) {
        stack.up();
        Path file = repoRoot.resolveSibling("shared").resolve("datasets").resolve(LOG);
        List<LogEvent> events = CommandLines.interleaved(XesLog.read(file, pace.logEvents()), 64);
        log.info("Read {} events of {}", events.size(), file);
        List<StageReport> reports = new ArrayList<>();
        try (StageContext context = new StageContext(pace, stack, repoRoot, out, profile, events)) {
            try {
                context.awaitDecider();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StageFailedException("interrupted while waiting for the decider", e);
            }
            for (BenchStage stage : stages) {
                reports.add(runStage(stage, context));
            }
            processes.addAll(context.processPeaks());
        }
        processes.add(peak("bench", ProcessHandle.current().pid()));
        return reports;
    }

    private StageReport runStage(BenchStage stage, StageContext context) {
        List<Map<String, Figure>> rounds = new ArrayList<>();
        try {
            context.createRawTopics(stage.id(), stage.rounds(pace));
            stage.before(context);
            runRounds(stage, context, rounds);
            StageReport report = StageReport.of(stage, rounds);
            log.info("Stage {} done: target {} {}", stage.id(), stage.target(), report.met() ? "met" : "missed");
            return report;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return StageReport.failed(stage, rounds, "interrupted");
        } catch (Exception e) {
            log.error("Stage {} could not run", stage.id(), e);
            return StageReport.failed(stage, rounds, String.valueOf(e.getMessage()));
        } finally {
            try {
                stage.after(context);
            } catch (Exception e) {
                log.warn("Stage {} could not clean up after itself", stage.id(), e);
            }
        }
    }

    private void runRounds(BenchStage stage, StageContext context, List<Map<String, Figure>> rounds) throws Exception {
        int count = stage.rounds(pace);
        for (int round = 1; round <= count; round++) {
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
