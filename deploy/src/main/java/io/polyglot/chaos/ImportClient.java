package io.polyglot.chaos;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The client of the chaos run: the importer as its own process ({@code importer/target/importer.jar}), sending each
 * log through {@code POST /v1/commands:batch} and resending with the same command ids after every transient fault or
 * undecided answer until it gets an answer (the attempts are practically unbounded; the run's watchdog bounds the
 * time). The first pass imports every log; while the fault schedule still runs it imports them again, so the faults
 * also meet resends of commands decided long before, each of which must be answered as replayed and produce nothing.
 */
final class ImportClient {

    /** One log to import as aggregates of {@code aggregateType}. */
    record Log(String aggregateType, Path file) {}

    /**
     * One import of one log.
     *
     * @param pass 1 for the first import, 2 and on for the imports again
     * @param aggregateType the log's aggregate type
     * @param exitStatus the importer's exit status (0: every event accepted)
     * @param sent commands answered
     * @param accepted commands accepted
     * @param replayed of the accepted, those answered as decided by an earlier request ({@code "replayed": true})
     * @param retries requests sent again after a fault or undecided lines
     * @param resent commands in those requests
     * @param seconds how long it took
     */
    record Pass(
            int pass,
            String aggregateType,
            int exitStatus,
            long sent,
            long accepted,
            long replayed,
            long retries,
            long resent,
            double seconds) {}

    // Small batches make the first pass last long enough for the faults to meet new commands, not only resends.
    private static final int BATCH_SIZE = 500;
    private static final Pattern SENT = Pattern.compile("(?m)^sent\\s+([\\d,]+)");
    private static final Pattern ACCEPTED =
            Pattern.compile("(?m)^accepted\\s+([\\d,]+)(?: \\(([\\d,]+) of them decided by an earlier request)?");
    private static final Pattern RESEND = Pattern.compile("sending ([\\d,]+) commands again in");

    private final Path importerJar;
    private final String commandUrl;
    private final Map<String, String> credentials;
    private final Path logs;
    private final PidLedger pids;
    private final Consumer<String> out;
    private final Set<Process> current = ConcurrentHashMap.newKeySet();
    private volatile boolean stopped;

    /**
     * @param credentials environment the importer needs besides the URL ({@code POLYGLOT_TOKEN} when the stack has one)
     * @param logs the folder for the importer's output
     */
    ImportClient(
            Path importerJar,
            String commandUrl,
            Map<String, String> credentials,
            Path logs,
            PidLedger pids,
            Consumer<String> out) {
        this.importerJar = importerJar;
        this.commandUrl = commandUrl;
        this.credentials = credentials;
        this.logs = logs;
        this.pids = pids;
        this.out = out;
    }

    /**
     * Imports every log once, then again and again while {@code again} says so. The logs of one pass are imported at
     * the same time, one importer each: their aggregates are distinct, and the pipeline is bound by the wait for each
     * batch's decision more than by the processors.
     */
    List<Pass> run(List<Log> toImport, BooleanSupplier again) throws IOException, InterruptedException {
        List<Pass> passes = new ArrayList<>();
        for (int pass = 1; pass == 1 || (again.getAsBoolean() && !stopped); pass++) {
            List<Running> running = new ArrayList<>();
            for (Log log : toImport) {
                if (!stopped) {
                    running.add(start(pass, log));
                }
            }
            boolean allAnswered = true;
            for (Running importer : running) {
                Pass done = importer.finish();
                passes.add(done);
                allAnswered &= done.exitStatus() == 0;
            }
            if (!allAnswered || stopped) {
                return passes;
            }
        }
        return passes;
    }

    /** Ends the importers that run now, if any (SIGKILL, by their pids), and starts no other. */
    void stop() {
        stopped = true;
        current.forEach(Process::destroyForcibly);
    }

    private Running start(int pass, Log log) throws IOException {
        Path output = logs.resolve("import-" + log.aggregateType() + "-pass" + pass + ".log");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder builder = new ProcessBuilder(
                        java,
                        "-Xmx512m",
                        "-jar",
                        importerJar.toString(),
                        "--type",
                        log.aggregateType(),
                        "--url",
                        commandUrl,
                        "--progress",
                        "off",
                        "--batch-size",
                        Integer.toString(BATCH_SIZE),
                        "--in-flight",
                        "2",
                        "--retries",
                        "100000",
                        // Resent until answered: every outage of the run is shorter than an hour.
                        "--retry-for",
                        "1h",
                        "--retry-backoff",
                        "200ms",
                        "--timeout",
                        "30s",
                        log.file().toString())
                .redirectErrorStream(true)
                .redirectOutput(output.toFile());
        builder.environment().putAll(credentials);
        Process process = builder.start();
        current.add(process);
        pids.record(process.pid(), "importer");
        out.accept(String.format(
                Locale.ROOT,
                "          import pass %d of %s started (pid %d, output %s)",
                pass,
                log.aggregateType(),
                process.pid(),
                output));
        return new Running(pass, log, process, output, System.nanoTime());
    }

    /** An importer process of one pass and log. */
    private final class Running {
        private final int pass;
        private final Log log;
        private final Process process;
        private final Path output;
        private final long started;

        Running(int pass, Log log, Process process, Path output, long started) {
            this.pass = pass;
            this.log = log;
            this.process = process;
            this.output = output;
            this.started = started;
        }

        /** Waits for the importer's exit and reads its summary and retries from its output. */
        Pass finish() throws IOException, InterruptedException {
            int exit = process.waitFor();
            current.remove(process);
            double seconds = (System.nanoTime() - started) / 1e9;
            String text = Files.readString(output, StandardCharsets.UTF_8);
            Matcher accepted = ACCEPTED.matcher(text);
            boolean found = accepted.find();
            Matcher resend = RESEND.matcher(text);
            long retries = 0;
            long resent = 0;
            while (resend.find()) {
                retries++;
                resent += number(resend.group(1));
            }
            Matcher sent = SENT.matcher(text);
            Pass done = new Pass(
                    pass,
                    log.aggregateType(),
                    exit,
                    sent.find() ? number(sent.group(1)) : 0,
                    found ? number(accepted.group(1)) : 0,
                    found && accepted.group(2) != null ? number(accepted.group(2)) : 0,
                    retries,
                    resent,
                    seconds);
            out.accept(String.format(
                    Locale.ROOT,
                    "          import pass %d of %s: exit %d, %,d sent, %,d accepted (%,d replayed), %,d retries"
                            + " (%,d commands resent) in %.1f s",
                    pass,
                    log.aggregateType(),
                    exit,
                    done.sent(),
                    done.accepted(),
                    done.replayed(),
                    retries,
                    resent,
                    seconds));
            return done;
        }
    }

    private static long number(String digits) {
        return Long.parseLong(digits.replace(",", ""));
    }
}
