package io.polyglot.chaos;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.polyglot.archive.store.VerificationReport;
import io.polyglot.deploy.ArchiveVerification;
import io.polyglot.deploy.ComponentStatus;
import io.polyglot.deploy.PolyglotStack;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code ./polyglot chaos}: the whole system's promises under faults. A stack of its own in a temporary home, real
 * logs imported through the HTTP API by a client that resends with the same command ids until answered, a seeded
 * schedule of faults meanwhile ({@link Fault}), then, once the pipeline caught up, the checks: the topic against the
 * log files ({@link TopicAudit}), {@code archive verify}, the views against a fold of the log files
 * ({@link ViewComparison}), and no process left running. The home is removed at the end, on failure and on Ctrl-C (a
 * shutdown hook), and a watchdog fails the run once it passes its bound.
 */
public final class ChaosRun {

    /** Exit status when every check passed. */
    public static final int PASSED = 0;

    /** Exit status when a check failed or the run could not complete. */
    public static final int FAILED = 1;

    /** Exit status when the watchdog ended the run past its bound. */
    public static final int PAST_BOUND = 3;

    /** The prefix of the last line, followed by the summary as one JSON object. */
    public static final String SUMMARY_PREFIX = "chaos summary: ";

    private static final String ARCHIVER_GROUP = "polyglot-archiver";
    private static final int SHORT_BPI_TRACES = 1_500;
    // Stopping the stack takes up to half a minute; the watchdog leaves it that time inside the bound.
    private static final Duration CLEAN_UP_RESERVE = Duration.ofSeconds(40);

    private final Path repoRoot;
    private final Path datasets;
    private final boolean shortRun;
    private final long seed;
    private final PrintWriter out;
    private final Duration bound;
    private final long started = System.nanoTime();
    private final PidLedger pids = new PidLedger();
    private final AtomicBoolean cleanedUp = new AtomicBoolean();
    private final Object cleanUpLock = new Object();
    private final AtomicBoolean reported = new AtomicBoolean();
    private final List<Check> checks = Collections.synchronizedList(new ArrayList<>());
    /** The stack's bearer token, once the stack is up: no kept log may hold it. */
    private volatile String token;

    private final Map<String, Long> summaryFigures = Collections.synchronizedMap(new LinkedHashMap<>());
    private final List<FaultInjector.Outcome> outcomes = new ArrayList<>();
    private final List<ImportClient.Pass> passes = new ArrayList<>();
    private volatile boolean faultsDone;
    private volatile boolean quietStack;
    private Path home;
    private PolyglotStack stack;
    private ImportClient client;

    /** One check of the end of the run. */
    record Check(String name, boolean passed, String detail) {}

    /**
     * @param repoRoot the repository whose built jars the stack runs
     * @param datasets the folder holding {@code bpic2012/bpic2012.xes.gz} and {@code helpdesk/helpdesk.xes.gz}
     * @param shortRun the CI run: helpdesk and the first 1,500 cases of BPI 2012, at most 5 minutes
     * @param seed the seed of the fault schedule
     */
    public ChaosRun(Path repoRoot, Path datasets, boolean shortRun, long seed, PrintWriter out) {
        this.repoRoot = repoRoot;
        this.datasets = datasets;
        this.shortRun = shortRun;
        this.seed = seed;
        this.out = out;
        this.bound = shortRun ? Duration.ofMinutes(5) : Duration.ofMinutes(10);
    }

    /** Runs it all and answers the exit status. */
    public int run() {
        Thread hook = new Thread(this::cleanUp, "chaos-clean-up");
        Runtime.getRuntime().addShutdownHook(hook);
        ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "chaos-watchdog");
            thread.setDaemon(true);
            return thread;
        });
        watchdog.schedule(this::pastBound, bound.minus(CLEAN_UP_RESERVE).toMillis(), TimeUnit.MILLISECONDS);
        try {
            runChecked();
        } catch (Exception e) {
            checks.add(new Check("the run completed", false, e.getClass().getSimpleName() + ": " + e.getMessage()));
        } finally {
            faultsDone = true;
            watchdog.shutdownNow();
            cleanUp();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // the JVM is shutting down already: the hook runs, and finds the clean-up done
            }
        }
        return finish();
    }

    /** The last check (no process of the run still runs), the report and the exit status; once. */
    private int finish() {
        if (!reported.compareAndSet(false, true)) {
            return FAILED;
        }
        checkLogsHoldNoToken();
        Map<Long, String> alive = pids.alive();
        checks.add(new Check(
                "no process left running",
                alive.isEmpty(),
                pids.size() + " pids of the stack and the importer checked"
                        + (alive.isEmpty() ? ", none runs" : "; still running: " + alive)));
        return report();
    }

    private void runChecked() throws Exception {
        home = Files.createTempDirectory("polyglot-chaos-");
        say(String.format(
                Locale.ROOT,
                "%s run, seed %d (replay with --seed %d), bound %d s, home %s",
                shortRun ? "short" : "full",
                seed,
                seed,
                bound.toSeconds(),
                home));
        Path helpdeskFile = datasets.resolve("helpdesk/helpdesk.xes.gz");
        Path bpiFile = datasets.resolve("bpic2012/bpic2012.xes.gz");
        for (Path file : List.of(helpdeskFile, bpiFile)) {
            if (!Files.isRegularFile(file)) {
                throw new IllegalStateException(file + " is missing; set POLYGLOT_DATASETS to the folder of the logs");
            }
        }
        if (shortRun) {
            bpiFile = LogReference.slice(
                    bpiFile, SHORT_BPI_TRACES, home.resolve("bpic2012-first-" + SHORT_BPI_TRACES + ".xes.gz"));
        }
        LogReference helpdesk = LogReference.read("HelpdeskTicket", helpdeskFile);
        LogReference loans = LogReference.read("LoanApplication", bpiFile);
        Map<String, LogReference.Expected> expected = new LinkedHashMap<>(helpdesk.expectedCommands());
        expected.putAll(loans.expectedCommands());
        say(String.format(
                Locale.ROOT,
                "reference fold of the log files: %,d helpdesk events in %,d cases, %,d BPI 2012 events in %,d cases%s",
                helpdesk.events(),
                helpdesk.cases().size(),
                loans.events(),
                loans.cases().size(),
                shortRun ? " (the first " + SHORT_BPI_TRACES + ")" : ""));

        stack = PolyglotStack.at(home, repoRoot).reportingTo(line -> {
            if (!quietStack) {
                say("  stack: " + line);
            }
        });
        long upStarted = System.nanoTime();
        pids.recordAll(stack.up());
        quietStack = true;
        say(String.format(Locale.ROOT, "stack up in %.1f s", (System.nanoTime() - upStarted) / 1e9));
        Map<String, String> env = stack.env();

        Map<String, String> credentials = new LinkedHashMap<>();
        Optional.ofNullable(env.get("POLYGLOT_TOKEN")).ifPresent(token -> credentials.put("POLYGLOT_TOKEN", token));
        token = env.get("POLYGLOT_TOKEN");
        client = new ImportClient(
                repoRoot.resolve("importer/target/importer.jar"),
                env.get("COMMAND_URL"),
                credentials,
                home,
                pids,
                this::say);
        List<ImportClient.Log> logs = shortRun
                ? List.of(
                        new ImportClient.Log("HelpdeskTicket", helpdeskFile),
                        new ImportClient.Log("LoanApplication", bpiFile))
                : List.of(
                        new ImportClient.Log("LoanApplication", bpiFile),
                        new ImportClient.Log("HelpdeskTicket", helpdeskFile));
        CompletableFuture<List<ImportClient.Pass>> imports = new CompletableFuture<>();
        Thread importer = new Thread(
                () -> {
                    try {
                        imports.complete(client.run(logs, () -> !faultsDone));
                    } catch (Exception e) {
                        imports.completeExceptionally(e);
                    }
                },
                "chaos-import");
        importer.setDaemon(true);
        importer.start();

        List<Fault> schedule = shortRun
                ? Fault.schedule(seed, 0, Duration.ofSeconds(4), Duration.ofSeconds(6))
                : Fault.schedule(seed, 4, Duration.ofSeconds(8), Duration.ofSeconds(10));
        say(schedule.size() + " faults scheduled: "
                + schedule.stream().map(Fault::describe).toList());
        FaultInjector injector = new FaultInjector(stack, this::bringBack, pids, this::secondsIntoRun, this::say);
        for (Fault fault : schedule) {
            Thread.sleep(fault.before().toMillis());
            outcomes.add(injector.inflict(fault));
        }
        faultsDone = true;
        say(String.format(Locale.ROOT, "[%6.1f s] fault schedule done; the import finishes", secondsIntoRun()));
        passes.addAll(imports.get(bound.toMillis(), TimeUnit.MILLISECONDS));
        checkImports();
        sayPhase("imports done; reading events.all");

        TopicAudit audit = TopicAudit.of(env.get("KAFKA_BOOTSTRAP_SERVERS"), expected);
        sayPhase("events.all read; waiting for the projection and the archiver to catch up");
        Duration wait = shortRun ? Duration.ofSeconds(90) : Duration.ofMinutes(3);
        Map<Integer, String> projectionBehind =
                CatchUp.projection(env.get("DATABASE_URL"), audit.pastLastRecord(), wait);
        Map<Integer, String> archiverBehind =
                CatchUp.archiver(env.get("KAFKA_BOOTSTRAP_SERVERS"), ARCHIVER_GROUP, wait);
        String lag = stack.status().stream()
                .filter(c -> c.projection() != null)
                .map(c -> Long.toString(c.projection().lag()))
                .findFirst()
                .orElse("unknown");
        checks.add(new Check(
                "the projection caught up",
                projectionBehind.isEmpty(),
                projectionBehind.isEmpty()
                        ? "its stored offsets are past every partition's last record (lag metric " + lag + ")"
                        : "still behind after " + wait.toSeconds() + " s: " + projectionBehind));
        checks.add(new Check(
                "the archive caught up",
                archiverBehind.isEmpty(),
                archiverBehind.isEmpty()
                        ? "the archiver's committed offsets are at every partition's end"
                        : "still behind after " + wait.toSeconds() + " s: " + archiverBehind));
        checkTopic(audit, expected.size());
        // The views do not depend on the archive: they are compared while archive verify downloads every segment.
        sayPhase("caught up; verifying the archive and comparing the views");
        CompletableFuture<Void> views = CompletableFuture.runAsync(() -> {
            try {
                checkViews(env, helpdesk, loans);
                sayPhase("views compared");
            } catch (SQLException e) {
                throw new IllegalStateException("the views could not be read: " + e.getMessage(), e);
            }
        });
        checkArchive(env, audit);
        sayPhase("archive verified");
        try {
            views.get(bound.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
        checkAccess();
    }

    private void checkAccess() throws InterruptedException {
        if (token == null || token.isEmpty()) {
            checks.add(new Check("every service wants the stack's token", false, "the stack has no token"));
            return;
        }
        AccessProbe.Outcome access = new AccessProbe().probe(stack.status(), token);
        checks.add(new Check(
                "every service wants the stack's token",
                access.wrong().isEmpty() && access.asked() > 0,
                access.asked() + " requests (none, a wrong or a garbled Authorization: 401; the token: let through;"
                        + " health without one)" + (access.wrong().isEmpty() ? "" : "; " + access.wrong())));
    }

    /** A line saying where the run is after the import, with its time, so a slow check shows in the output. */
    private void sayPhase(String what) {
        say(String.format(Locale.ROOT, "[%6.1f s] %s", secondsIntoRun(), what));
    }

    private void checkImports() {
        boolean allZero = passes.stream().allMatch(pass -> pass.exitStatus() == 0);
        long firstPass = passes.stream()
                .filter(pass -> pass.pass() == 1)
                .mapToLong(ImportClient.Pass::accepted)
                .sum();
        checks.add(new Check(
                "every import was answered",
                allZero && !passes.isEmpty(),
                String.format(
                        Locale.ROOT,
                        "%d imports, exit statuses %s; %,d commands accepted in the first pass",
                        passes.size(),
                        passes.stream().map(ImportClient.Pass::exitStatus).toList(),
                        firstPass)));
    }

    private void checkTopic(TopicAudit audit, int commands) {
        checks.add(new Check(
                "every acknowledged command's event is in events.all exactly once, versions 1..n",
                audit.exact(),
                String.format(
                        Locale.ROOT,
                        "%,d records for %,d commands: %,d missing, %,d duplicate event ids, %,d duplicate command ids,"
                                + " %,d unexpected, %,d undecodable, %,d aggregates with versions other than 1..n,"
                                + " %,d in two partitions%s",
                        audit.records(),
                        commands,
                        audit.missing(),
                        audit.duplicateEventIds(),
                        audit.duplicateCommandIds(),
                        audit.unexpected(),
                        audit.undecodable(),
                        audit.versionProblems(),
                        audit.splitAggregates(),
                        audit.examples().isEmpty() ? "" : "; e.g. " + audit.examples())));
        checks.add(new Check(
                "every case's events are recorded in the order of its log file",
                audit.outOfPosition() == 0,
                String.format(
                        Locale.ROOT,
                        "%,d events at a version other than their position in the case",
                        audit.outOfPosition())));
        summaryFigures.put("events", audit.records());
        summaryFigures.put("missingEvents", audit.missing());
        summaryFigures.put("duplicateEvents", audit.duplicateEventIds() + audit.duplicateCommandIds());
        summaryFigures.put("outOfPosition", audit.outOfPosition());
    }

    private void checkArchive(Map<String, String> env, TopicAudit audit) {
        ArchiveVerification.Outcome outcome = ArchiveVerification.run(env);
        VerificationReport report = outcome.report();
        boolean once = report.events() == audit.records() && report.committedEventsChecked() == audit.records();
        checks.add(new Check(
                "archive verify is sound and holds every event exactly once",
                report.sound() && once,
                String.format(
                        Locale.ROOT,
                        "%s; %,d segments holding %,d events, %,d committed events checked, %d problems%s (stored as"
                                + " %s)",
                        report.sound() ? "sound" : "NOT sound",
                        report.segments(),
                        report.events(),
                        report.committedEventsChecked(),
                        report.problems().size(),
                        report.problems().isEmpty()
                                ? ""
                                : ", e.g. "
                                        + report.problems()
                                                .subList(
                                                        0,
                                                        Math.min(
                                                                3,
                                                                report.problems()
                                                                        .size())),
                        outcome.storedAs())));
        summaryFigures.put("archivedEvents", report.events());
        summaryFigures.put("segments", (long) report.segments());
    }

    private void checkViews(Map<String, String> env, LogReference helpdesk, LogReference loans) throws SQLException {
        List<ViewComparison> views = ViewComparison.all(env.get("DATABASE_URL"), helpdesk, loans);
        summaryFigures.put("viewsCompared", (long) views.size());
        summaryFigures.put(
                "viewRowsCompared",
                views.stream().mapToLong(ViewComparison::rows).sum());
        for (ViewComparison view : views) {
            checks.add(new Check(
                    "view " + view.view() + " equals the fold of the log files",
                    view.equal(),
                    String.format(
                            Locale.ROOT,
                            "%,d rows expected: %d missing, %d extra, %d different%s",
                            view.rows(),
                            view.missing(),
                            view.extra(),
                            view.different(),
                            view.examples().isEmpty() ? "" : "; e.g. " + view.examples())));
        }
    }

    private int report() {
        say("checks:");
        for (Check check : List.copyOf(checks)) {
            say("  " + (check.passed() ? "PASS " : "FAIL ") + check.name() + ": " + check.detail());
        }
        List<String> failed = List.copyOf(checks).stream()
                .filter(c -> !c.passed())
                .map(Check::name)
                .toList();
        Map<String, Long> kills = new TreeMap<>();
        Fault.SERVICES.forEach(service -> kills.put(service, 0L));
        long restarts = 0;
        long unplanned = 0;
        for (FaultInjector.Outcome outcome : outcomes) {
            if (outcome.fault().kind() == Fault.Kind.KILL_SERVICES) {
                outcome.fault().targets().forEach(service -> kills.merge(service, 1L, Long::sum));
            }
            restarts += outcome.restarted().size() + outcome.unplanned().size();
            unplanned += outcome.unplanned().size();
        }
        ObjectMapper json = new ObjectMapper();
        ObjectNode summary = json.createObjectNode();
        summary.put("passed", failed.isEmpty());
        summary.put("seed", seed);
        summary.put("short", shortRun);
        summary.put("seconds", Math.round(secondsIntoRun() * 10) / 10.0);
        summary.set("kills", json.valueToTree(kills));
        summary.put("brokerRestarts", count(Fault.Kind.RESTART_BROKER));
        summary.put("storageOutages", count(Fault.Kind.STORAGE_OUTAGE));
        summary.put("databaseOutages", count(Fault.Kind.DATABASE_OUTAGE));
        summary.put("restarts", restarts);
        summary.put("unplannedRestarts", unplanned);
        summary.put("imports", passes.size());
        summary.put(
                "commandsSent",
                passes.stream().mapToLong(ImportClient.Pass::sent).sum());
        summary.put(
                "commandsAcceptedFirstPass",
                passes.stream()
                        .filter(p -> p.pass() == 1)
                        .mapToLong(ImportClient.Pass::accepted)
                        .sum());
        summary.put(
                "clientRetries",
                passes.stream().mapToLong(ImportClient.Pass::retries).sum());
        summary.put(
                "commandsResent",
                passes.stream().mapToLong(ImportClient.Pass::resent).sum());
        summary.put(
                "replayedAnswers",
                passes.stream().mapToLong(ImportClient.Pass::replayed).sum());
        Map.copyOf(summaryFigures).forEach(summary::put);
        summary.set("failedChecks", json.valueToTree(failed));
        say(
                failed.isEmpty()
                        ? "PASSED: every check held under " + outcomes.size() + " faults"
                        : "FAILED: " + failed.size() + " of " + checks.size() + " checks: " + failed);
        out.println(SUMMARY_PREFIX + summary);
        out.flush();
        return failed.isEmpty() ? PASSED : FAILED;
    }

    private long count(Fault.Kind kind) {
        return outcomes.stream().filter(o -> o.fault().kind() == kind).count();
    }

    private void pastBound() {
        say(String.format(
                Locale.ROOT,
                "[%6.1f s] FAILED: the run is past its bound (%d s less %d s to stop the stack); stopping",
                secondsIntoRun(),
                bound.toSeconds(),
                CLEAN_UP_RESERVE.toSeconds()));
        checks.add(new Check("the run stayed within its bound", false, "past " + bound.toSeconds() + " s"));
        faultsDone = true;
        cleanUp();
        finish();
        // the shutdown hook finds the clean-up done; exit from another thread, so the watchdog's own ends
        new Thread(() -> System.exit(PAST_BOUND), "chaos-exit").start();
    }

    /**
     * Starts what a fault left stopped, unless the clean-up has begun: under the clean-up's lock, so a Ctrl-C during
     * an outage either waits for this start and then stops what it started, or comes first and nothing starts again.
     */
    private List<ComponentStatus> bringBack() {
        synchronized (cleanUpLock) {
            if (cleanedUp.get()) {
                throw new CancellationException("the run is being stopped: nothing is started again");
            }
            return stack.up();
        }
    }

    /**
     * Stops the importer and the stack by pid and removes the home; idempotent, from the end, the hook or the dog. A
     * second caller waits until the first is done: on Ctrl-C the hook stops the stack while the main thread goes on to
     * its last check, which must not look for live processes before they are stopped.
     */
    private void cleanUp() {
        // a lock of its own: the importer's threads that the clean-up waits for report through say(), which holds this
        synchronized (cleanUpLock) {
            if (cleanedUp.compareAndSet(false, true)) {
                stopEverything();
            }
        }
    }

    private void stopEverything() {
        if (client != null) {
            client.stop();
        }
        keepLogs();
        if (stack != null) {
            try {
                pids.recordAll(stack.status());
                stack.down(true);
                say(String.format(Locale.ROOT, "[%6.1f s] stack stopped and %s removed", secondsIntoRun(), home));
            } catch (RuntimeException e) {
                say("could not stop the stack cleanly: " + e.getMessage());
            }
        } else if (home != null) {
            deleteQuietly(home);
        }
        // Whatever still runs of what this run started (a service an interrupted up() was starting) is killed by pid.
        pids.alive().keySet().forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
        ProcessHandle.current().descendants().forEach(ProcessHandle::destroyForcibly);
    }

    /**
     * Searches every kept log (each service's, each import's: what the run had written when the stack was stopped)
     * for the stack's token, as bytes.
     */
    private void checkLogsHoldNoToken() {
        Path kept = repoRoot.resolve("target").resolve("chaos");
        if (token == null || token.isEmpty() || !Files.isDirectory(kept)) {
            return;
        }
        List<String> holding = new ArrayList<>();
        long bytes = 0;
        int files = 0;
        try (var logs = Files.list(kept)) {
            for (Path log : logs.filter(Files::isRegularFile).toList()) {
                byte[] content = Files.readAllBytes(log);
                files++;
                bytes += content.length;
                // ISO-8859-1 maps every byte to one character, so any bytes are searched as they are
                if (new String(content, StandardCharsets.ISO_8859_1).contains(token)) {
                    holding.add(log.getFileName().toString());
                }
            }
        } catch (IOException e) {
            checks.add(new Check("no log of the run holds the token", false, "the logs could not be read: " + e));
            return;
        }
        checks.add(new Check(
                "no log of the run holds the token",
                holding.isEmpty(),
                String.format(Locale.ROOT, "%d log files, %,d bytes searched", files, bytes)
                        + (holding.isEmpty() ? "" : "; the token is in " + holding)));
    }

    /**
     * Copies the logs of every process and import to {@code target/chaos/} in the repository (replacing the last
     * run's), so a failed run can be read after its home is gone.
     */
    private void keepLogs() {
        if (home == null || !Files.isDirectory(home)) {
            return;
        }
        Path kept = repoRoot.resolve("target").resolve("chaos");
        try {
            if (Files.isDirectory(kept)) {
                deleteQuietly(kept);
            }
            Files.createDirectories(kept);
            List<Path> logs = new ArrayList<>();
            try (var files = Files.list(home)) {
                files.filter(file -> file.getFileName().toString().startsWith("import-"))
                        .forEach(logs::add);
            }
            if (Files.isDirectory(home.resolve("logs"))) {
                try (var files = Files.list(home.resolve("logs"))) {
                    files.forEach(logs::add);
                }
            }
            for (Path log : logs) {
                Files.copy(log, kept.resolve(log.getFileName()));
            }
            say("logs of this run kept in " + kept);
        } catch (IOException e) {
            say("could not keep the logs in " + kept + ": " + e.getMessage());
        }
    }

    private static void deleteQuietly(Path folder) {
        try (var tree = Files.walk(folder)) {
            tree.sorted(java.util.Comparator.reverseOrder())
                    .forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            // a temporary folder left behind is no failure of the run
        }
    }

    private double secondsIntoRun() {
        return (System.nanoTime() - started) / 1e9;
    }

    private synchronized void say(String line) {
        out.println("chaos: " + line);
        out.flush();
    }
}
