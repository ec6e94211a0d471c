package io.polyglot.importer;

import io.polyglot.importer.report.ImportSummary;
import io.polyglot.importer.report.Progress;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * The importer's last words: its last progress line, its summary and, when the import stopped early, why; written
 * once however the importer ends. The run writes them at its end. A shutdown hook, in place before the importer reads
 * its options, writes them when the process is terminated (SIGTERM) first, wherever it is: reading its options,
 * opening the log, reading it, sending or waiting for the last answers. What they count is what was sent until then.
 *
 * <p>The hook waits for a report being written by the run, so the process does not end halfway through it.
 */
public final class FinalReport {

    private final ImportSummary summary;
    private final PrintStream out;
    private final PrintStream err;
    private final Clock clock;
    private final Thread hook = new Thread(() -> write(null), "import-terminated");
    private Instant started;
    private Progress progress;
    private boolean written;

    private FinalReport(ImportSummary summary, PrintStream out, PrintStream err, Clock clock) {
        this.summary = summary;
        this.out = out;
        this.err = err;
        this.clock = clock;
        this.started = clock.instant();
    }

    /**
     * A report of {@code summary} whose shutdown hook is in place: made before anything else the importer does, since
     * a SIGTERM before it ends the process without a word.
     *
     * @param summary the tally the report tells
     * @param out where the summary goes
     * @param err where the reason of an early stop goes
     * @param clock the clock the import is timed with
     */
    public static FinalReport install(ImportSummary summary, PrintStream out, PrintStream err, Clock clock) {
        FinalReport report = new FinalReport(summary, out, err, clock);
        Runtime.getRuntime().addShutdownHook(report.hook);
        return report;
    }

    /** The progress the import shows, whose last line comes before the summary. */
    public synchronized void showing(Progress shown) {
        this.progress = shown;
    }

    /**
     * The run starts reading: the summary's time counts from now on, and the progress starts showing, unless the
     * process is being terminated already and the report has been written.
     */
    public synchronized void runStarts() {
        if (written) {
            return;
        }
        started = clock.instant();
        if (progress != null) {
            progress.start();
        }
    }

    /**
     * Writes the last progress line, the summary and, when {@code failure} is not null, why the import stopped; only
     * the first call writes.
     */
    public synchronized void write(String failure) {
        if (written) {
            return;
        }
        written = true;
        if (progress != null) {
            progress.close();
        }
        out.print(summary.render(Duration.between(started, clock.instant())));
        out.flush();
        if (failure != null) {
            err.println("import: " + failure);
            err.flush();
        }
    }

    /**
     * The importer has said its last: its report, or a usage error or the help, which come without one. A termination
     * after this adds nothing, and the hook is removed.
     */
    public void close() {
        synchronized (this) {
            written = true;
        }
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // The JVM is shutting down already; the hook runs and finds the report written.
        }
    }
}
