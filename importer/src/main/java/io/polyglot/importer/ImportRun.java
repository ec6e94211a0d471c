package io.polyglot.importer;

import io.polyglot.importer.command.Batch;
import io.polyglot.importer.command.Batcher;
import io.polyglot.importer.command.RecordActivityCommands;
import io.polyglot.importer.delivery.BatchAnswer;
import io.polyglot.importer.delivery.BatchDelivery;
import io.polyglot.importer.delivery.CommandServiceException;
import io.polyglot.importer.delivery.SendWindow;
import io.polyglot.importer.log.CaseEvent;
import io.polyglot.importer.log.CsvReader;
import io.polyglot.importer.log.EventLogReader;
import io.polyglot.importer.log.InvalidMappingException;
import io.polyglot.importer.log.LogEntry;
import io.polyglot.importer.log.LogFormat;
import io.polyglot.importer.log.LogSource;
import io.polyglot.importer.log.MalformedLogException;
import io.polyglot.importer.log.XesReader;
import io.polyglot.importer.report.ImportSummary;
import io.polyglot.importer.report.Progress;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One import from start to end: reads the log, turns each usable event into a command, sends the commands in batches
 * and tallies the answers. Reading waits while sending is behind, so memory holds only the batches in flight.
 */
public final class ImportRun {

    private final ImportJob job;
    private final LogSource source;
    private final BatchDelivery sender;
    private final Progress progress;
    private final PrintStream out;
    private final PrintStream err;
    private final Clock clock;
    private final ImportSummary summary;
    private final AtomicBoolean reported = new AtomicBoolean();
    private final RecordActivityCommands commands;
    private LogEntry lastRead;

    /**
     * @param job what to import
     * @param source the opened log file; the caller closes it
     * @param sender what sends each batch
     * @param progress where progress goes; started and closed here
     * @param summary the tally, also read by {@code progress}
     * @param out where the summary goes
     * @param err where errors go
     * @param clock the clock the run is timed with
     */
    public ImportRun(
            ImportJob job,
            LogSource source,
            BatchDelivery sender,
            Progress progress,
            ImportSummary summary,
            PrintStream out,
            PrintStream err,
            Clock clock) {
        this.job = job;
        this.source = source;
        this.sender = sender;
        this.progress = progress;
        this.summary = summary;
        this.out = out;
        this.err = err;
        this.clock = clock;
        this.commands = new RecordActivityCommands(job.aggregateType());
    }

    /** Runs the import and answers its {@link ExitStatus}. */
    public int run() {
        Instant started = clock.instant();
        progress.start();
        Thread onTermination = new Thread(() -> report(started), "import-terminated");
        Runtime.getRuntime().addShutdownHook(onTermination);
        Outcome outcome;
        try (SendWindow window = new SendWindow(job.inFlight(), this::send, summary::answered)) {
            outcome = readAndSend(window);
        } finally {
            forget(onTermination);
        }
        report(started);
        if (outcome.failure() != null) {
            err.println("import: " + outcome.failure());
            err.flush();
        }
        return outcome.status();
    }

    /**
     * The last progress line and the summary, once: at the end of the run, or from the shutdown hook when the process
     * is terminated (SIGTERM) before it, so what they count is what was sent until then, not the last tick's counts.
     */
    private void report(Instant started) {
        if (!reported.compareAndSet(false, true)) {
            return;
        }
        progress.close();
        out.print(summary.render(Duration.between(started, clock.instant())));
        out.flush();
    }

    private static void forget(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // The JVM is shutting down already, and the hook reports.
        }
    }

    private Outcome readAndSend(SendWindow window) {
        Batcher batcher = new Batcher(job.batchSize(), job.batchBytes());
        try {
            try {
                reader().read(entry -> accept(entry, batcher, window));
            } catch (MalformedLogException e) {
                sendRest(batcher, window);
                return new Outcome(
                        ExitStatus.MALFORMED_LOG,
                        "malformed " + job.format() + " in " + job.file() + " at " + e.describe() + "; "
                                + readUntilThen());
            } catch (IOException e) {
                sendRest(batcher, window);
                return new Outcome(
                        ExitStatus.MALFORMED_LOG,
                        "cannot read " + job.file() + ": " + e.getMessage() + "; " + readUntilThen());
            } catch (OutOfMemoryError e) {
                // What ran out was the value being read, which is garbage now, so the events before it still go out.
                sendRest(batcher, window);
                return new Outcome(ExitStatus.FAILED, outOfMemory());
            }
            sendRest(batcher, window);
            int status =
                    summary.rejectedCount() == 0 && summary.undecidedCount() == 0 ? ExitStatus.OK : ExitStatus.REJECTED;
            return new Outcome(status, null);
        } catch (InvalidMappingException e) {
            return new Outcome(ExitStatus.USAGE, e.getMessage());
        } catch (DeliveryStopped e) {
            return new Outcome(ExitStatus.COMMAND_SERVICE_FAILED, stopAfterFailure(window, e));
        }
    }

    private String outOfMemory() {
        long maxHeap = Runtime.getRuntime().maxMemory() / (1024 * 1024);
        return "the log needs more memory than the importer has (" + maxHeap + " MB of heap) to read " + job.file()
                + ": an attribute or text too large to hold; " + readUntilThen();
    }

    private String readUntilThen() {
        if (lastRead == null) {
            return "no event was read before it";
        }
        String caseId = lastRead.caseId() == null ? "a trace without case id" : "case '" + lastRead.caseId() + "'";
        return String.format("the %,d events read before it, up to ", summary.readCount()) + caseId + " event "
                + lastRead.position() + ", went to the command service (see the summary)";
    }

    /**
     * Sends one batch from a sender thread, counting its commands as sent as its first request leaves, and as not sent
     * when no attempt reached the command service.
     */
    private BatchAnswer send(Batch batch) throws CommandServiceException, InterruptedException {
        try {
            return sender.send(batch, () -> summary.sent(batch.size()));
        } catch (CommandServiceException e) {
            e.notSentBecause().ifPresent(why -> summary.notSent(batch.size(), why));
            throw e;
        }
    }

    private void accept(LogEntry entry, Batcher batcher, SendWindow window) {
        lastRead = entry;
        summary.read(entry);
        if (entry instanceof CaseEvent event) {
            batcher.add(commands.toCommand(event)).ifPresent(batch -> submit(window, batch));
        }
    }

    private void sendRest(Batcher batcher, SendWindow window) {
        batcher.flush().ifPresent(batch -> submit(window, batch));
        try {
            window.drain();
        } catch (CommandServiceException e) {
            throw new DeliveryStopped(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DeliveryStopped(e);
        }
    }

    private static void submit(SendWindow window, Batch batch) {
        try {
            window.submit(batch);
        } catch (CommandServiceException e) {
            throw new DeliveryStopped(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DeliveryStopped(e);
        }
    }

    /** Collects the answers of the batches still in flight, so the summary tells exactly what was sent. */
    private static String stopAfterFailure(SendWindow window, DeliveryStopped stop) {
        if (stop.getCause() instanceof InterruptedException) {
            return "interrupted; the summary counts the answers received until then";
        }
        try {
            window.drain();
        } catch (CommandServiceException further) {
            // the first failure is the one reported; later ones repeat it for other batches
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return stop.getCause().getMessage() + "; nothing after that was sent";
    }

    private EventLogReader reader() {
        return job.format() == LogFormat.XES
                ? new XesReader(source.stream())
                : new CsvReader(source.stream(), job.csvMapping());
    }

    /** How the run ended: its exit status and, when it stopped early, why. */
    private record Outcome(int status, String failure) {}

    /** Carries a delivery failure out of the reader's callback, which cannot throw checked exceptions. */
    private static final class DeliveryStopped extends RuntimeException {
        DeliveryStopped(Throwable cause) {
            super(cause);
        }
    }
}
