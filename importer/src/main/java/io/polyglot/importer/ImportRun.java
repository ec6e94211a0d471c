package io.polyglot.importer;

import io.polyglot.importer.command.Batch;
import io.polyglot.importer.command.Batcher;
import io.polyglot.importer.command.RecordActivityCommands;
import io.polyglot.importer.delivery.BatchAnswer;
import io.polyglot.importer.delivery.BatchDelivery;
import io.polyglot.importer.delivery.CommandServiceException;
import io.polyglot.importer.delivery.SendWindow;
import io.polyglot.importer.log.CaseEvent;
import io.polyglot.importer.log.CorruptGzipException;
import io.polyglot.importer.log.CsvReader;
import io.polyglot.importer.log.EventLogReader;
import io.polyglot.importer.log.InvalidMappingException;
import io.polyglot.importer.log.LogEntry;
import io.polyglot.importer.log.LogFormat;
import io.polyglot.importer.log.LogSource;
import io.polyglot.importer.log.MalformedLogException;
import io.polyglot.importer.log.XesReader;
import io.polyglot.importer.report.ImportSummary;
import java.io.IOException;

/**
 * One import from start to end: reads the log, turns each usable event into a command, sends the commands in batches
 * and tallies the answers. Reading waits while sending is behind, so memory holds only the batches in flight.
 */
public final class ImportRun {

    private final ImportJob job;
    private final LogSource source;
    private final BatchDelivery sender;
    private final ImportSummary summary;
    private final FinalReport report;
    private final RecordActivityCommands commands;
    private LogEntry lastRead;

    /**
     * @param job what to import
     * @param source the opened log file; the caller closes it
     * @param sender what sends each batch
     * @param summary the tally, also read by the progress
     * @param report what writes the progress's last line and the summary, at the end of the run or on a SIGTERM
     */
    public ImportRun(ImportJob job, LogSource source, BatchDelivery sender, ImportSummary summary, FinalReport report) {
        this.job = job;
        this.source = source;
        this.sender = sender;
        this.summary = summary;
        this.report = report;
        this.commands = new RecordActivityCommands(job.aggregateType());
    }

    /** Runs the import, writes its report and answers its {@link ExitStatus}. */
    public int run() {
        report.runStarts();
        Outcome outcome;
        try (SendWindow window = new SendWindow(job.inFlight(), this::send, summary::answered)) {
            outcome = readAndSend(window);
        }
        report.write(outcome.failure());
        return outcome.status();
    }

    private Outcome readAndSend(SendWindow window) {
        try {
            source.checkWhole();
        } catch (CorruptGzipException e) {
            return new Outcome(
                    ExitStatus.MALFORMED_LOG,
                    "cannot read " + job.file() + ": " + e.getMessage()
                            + "; nothing was sent (a gzipped log is checked whole before its first event is sent)");
        } catch (IOException e) {
            return cannotRead(e.getMessage());
        }
        Batcher batcher = new Batcher(job.batchSize(), job.batchBytes());
        try {
            try {
                reader().read(entry -> accept(entry, batcher, window));
            } catch (MalformedLogException e) {
                String malformed = "malformed " + job.format() + " in " + job.file() + " at " + e.describe();
                Outcome outcome = unlessDamaged(
                        new Outcome(ExitStatus.MALFORMED_LOG, malformed + "; " + readUntilThen()),
                        "malformed " + job.format() + " at " + e.describe());
                sendRest(batcher, window);
                return outcome;
            } catch (IOException e) {
                sendRest(batcher, window);
                return cannotRead(e.getMessage());
            } catch (OutOfMemoryError e) {
                // What ran out was the value being read, which is garbage now, so the events before it still go out.
                Outcome outcome =
                        unlessDamaged(new Outcome(ExitStatus.FAILED, outOfMemory()), "a value too large to hold");
                sendRest(batcher, window);
                return outcome;
            }
            sendRest(batcher, window);
            int status =
                    summary.rejectedCount() == 0 && summary.undecidedCount() == 0 ? ExitStatus.OK : ExitStatus.REJECTED;
            return new Outcome(status, null);
        } catch (InvalidMappingException e) {
            return unlessDamaged(new Outcome(ExitStatus.USAGE, e.getMessage()), e.getMessage());
        } catch (DeliveryStopped e) {
            return new Outcome(ExitStatus.COMMAND_SERVICE_FAILED, stopAfterFailure(window, e));
        }
    }

    /**
     * {@code fault}, the reader's, unless the log is a gzip file whose compressed data is damaged, which is then the
     * fault: damaged data mostly decompresses to other text instead of failing, so the reader meets the damage as
     * malformed XES or CSV, or as a CSV header without a column it needs, and only reading the file to its end tells.
     *
     * @param howItShowed what the reader made of the damage, for the message
     */
    private Outcome unlessDamaged(Outcome fault, String howItShowed) {
        try {
            source.readToEnd();
        } catch (CorruptGzipException damage) {
            return cannotRead(damage.getMessage() + " (the damaged data read as " + howItShowed + ")");
        } catch (IOException e) {
            // The rest of the file cannot be read either; what the reader met is the fault to report.
            return fault;
        }
        return fault;
    }

    private Outcome cannotRead(String why) {
        return new Outcome(ExitStatus.MALFORMED_LOG, "cannot read " + job.file() + ": " + why + "; " + readUntilThen());
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
