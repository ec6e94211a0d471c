package io.polyglot.importer;

import io.polyglot.importer.delivery.CommandServiceClient;
import io.polyglot.importer.delivery.RetryPolicy;
import io.polyglot.importer.log.CsvMapping;
import io.polyglot.importer.log.LogFormat;
import io.polyglot.importer.log.LogSource;
import io.polyglot.importer.log.TimestampParser;
import io.polyglot.importer.report.ImportSummary;
import io.polyglot.importer.report.Progress;
import io.polyglot.importer.report.Terminal;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code import}: sends an XES or CSV event log to the command service as {@code RecordActivity} commands, one per
 * event, through {@code POST /v1/commands:batch}. Run as {@code java -jar importer/target/importer.jar ARGS}, which is
 * what {@code ./polyglot import ARGS} does with {@code COMMAND_URL} set.
 */
@Command(
        name = "import",
        sortOptions = false,
        usageHelpAutoWidth = true,
        description = {
            "Sends an event log (XES or CSV, optionally gzipped) to the command service, one RecordActivity command per"
                    + " event. Command ids derive from the type, the case id and the event's position in the case, so"
                    + " a re-run sends the same ids.",
            "Environment: COMMAND_URL (the command service, default " + ImportMain.DEFAULT_URL + "), POLYGLOT_TOKEN"
                    + " (sent as a bearer token when set; --token-file overrides it)."
        },
        exitCodeListHeading = "Exit status:%n",
        exitCodeList = {
            "0:every event read was accepted",
            "1:some events were rejected or not decided (see the summary)",
            "2:bad usage",
            "3:the command service was unreachable, stayed unavailable or refused the requests",
            "4:the log file is malformed, or its gzip is truncated or corrupt; the events read before the fault were"
                    + " sent",
            "5:the importer failed unexpectedly (a bug; the stack trace is on stderr)"
        })
public final class ImportMain implements Callable<Integer> {

    static final String DEFAULT_URL = "http://127.0.0.1:8080";

    // The command service's own limit is far above this; the cap keeps one request's memory small on both sides.
    private static final long BATCH_MAX_BYTES = 8L << 20;
    private static final int BATCH_MAX_LINES = 10_000;
    private static final int MAX_IN_FLIGHT = 16;
    private static final Pattern AGGREGATE_TYPE = Pattern.compile("^[A-Z][A-Za-z0-9]{0,63}$");
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration PROGRESS_LINE_INTERVAL = Duration.ofSeconds(5);

    @Spec
    private CommandSpec spec;

    @Option(
            names = "--type",
            required = true,
            paramLabel = "TYPE",
            description = "Aggregate type of every command, e.g. LoanApplication (^[A-Z][A-Za-z0-9]{0,63}$).")
    private String aggregateType;

    @Option(
            names = "--format",
            paramLabel = "xes|csv",
            description = "Format of FILE; by default from its name (.xes, .xes.gz, .csv, .csv.gz).")
    private String format;

    @Option(names = "--case-column", paramLabel = "COLUMN", description = "CSV: the column holding the case id.")
    private String caseColumn;

    @Option(names = "--activity-column", paramLabel = "COLUMN", description = "CSV: the column holding the activity.")
    private String activityColumn;

    @Option(names = "--activity", paramLabel = "NAME", description = "CSV: one activity name for every row.")
    private String activity;

    @Option(names = "--time-column", paramLabel = "COLUMN", description = "CSV: the column holding the event's time.")
    private String timeColumn;

    @Option(names = "--lifecycle-column", paramLabel = "COLUMN", description = "CSV: the lifecycle column, if any.")
    private String lifecycleColumn;

    @Option(names = "--resource-column", paramLabel = "COLUMN", description = "CSV: the resource column, if any.")
    private String resourceColumn;

    @Option(
            names = "--time-format",
            paramLabel = "PATTERN",
            description = "CSV: java.time pattern of the time column, e.g. 'yyyy/MM/dd HH:mm'; default ISO-8601.")
    private String timeFormat;

    @Option(
            names = "--zone",
            paramLabel = "ZONE",
            description = "CSV: zone of times written without an offset, e.g. UTC or Europe/Amsterdam.")
    private String zone;

    @Option(names = "--url", paramLabel = "URL", description = "Command service base URL; overrides COMMAND_URL.")
    private String url;

    // A file, not the token itself: an argument would show in ps to every user of the machine.
    @Option(
            names = "--token-file",
            paramLabel = "FILE",
            description = "File whose first line is the bearer token; overrides POLYGLOT_TOKEN.")
    private Path tokenFile;

    @Option(
            names = "--batch-size",
            paramLabel = "N",
            defaultValue = "1000",
            description = "Most commands per request (1..10000, default ${DEFAULT-VALUE}).")
    private int batchSize;

    // Every batch waits for the decisions of its commands, so at least one commit of the decider; with one batch
    // awaiting its answer the decider idles between batches. The BPI 2012 log through the local stack on two cores
    // (the bench's e2e stage, after the stack's warm-up) was accepted in 74.5 s with 1 in flight, 52.6 s with 4 and
    // 45.1 s with 8.
    @Option(
            names = "--in-flight",
            paramLabel = "N",
            defaultValue = "8",
            description = "Requests awaiting their answers at once (1..16, default ${DEFAULT-VALUE}); requests for the"
                    + " same case are never in flight together.")
    private int inFlight;

    @Option(
            names = "--retries",
            paramLabel = "N",
            description = "Most resends of a request after a transient fault or of commands still pending (default:"
                    + " as many as --retry-for allows).")
    private Integer retries;

    // A restarted command service refuses connections until its decider runs again, then leaves commands pending
    // while it restores its stores: about 90 s on a loaded 2-core machine, twice that for two restarts in a row. A
    // batch import is patient, so the default rides that out more than three times (the README has the measurements).
    @Option(
            names = "--retry-for",
            paramLabel = "DURATION",
            defaultValue = "10m",
            converter = DurationText.class,
            description = "How long after its first attempt a request is still resent after connection failures,"
                    + " 429/502/503/504 answers or pending commands (default ${DEFAULT-VALUE}); a request the command"
                    + " service refuses otherwise is never resent.")
    private Duration retryFor;

    @Option(
            names = "--retry-backoff",
            paramLabel = "DURATION",
            defaultValue = "500ms",
            converter = DurationText.class,
            description = "First wait before a resend, doubling up to 10s (default ${DEFAULT-VALUE}).")
    private Duration retryBackoff;

    @Option(
            names = "--timeout",
            paramLabel = "DURATION",
            defaultValue = "60s",
            converter = DurationText.class,
            description = "Wait for the answer to one request (default ${DEFAULT-VALUE}).")
    private Duration requestTimeout;

    @Option(
            names = "--progress",
            paramLabel = "auto|bar|lines|json|off",
            defaultValue = "auto",
            description = "Progress on stderr: a bar on a terminal, else a line every 5s; json: one JSON object per"
                    + " line every second, for programs (default ${DEFAULT-VALUE}).")
    private String progress;

    @Option(
            names = "--exit-with-parent",
            description = "Stop when the process that started this one ends, for programs that run the importer as"
                    + " their child (exit status 5).")
    private boolean exitWithParent;

    @Option(
            names = {"-h", "--help"},
            usageHelp = true,
            description = "Show this help.")
    private boolean help;

    @Parameters(index = "0", paramLabel = "FILE", description = "The event log.")
    private Path file;

    private final Map<String, String> env;
    private final PrintStream err;
    private final Clock clock;
    private final ImportSummary summary;
    private final FinalReport report;

    private ImportMain(
            Map<String, String> env, PrintStream err, Clock clock, ImportSummary summary, FinalReport report) {
        this.env = env;
        this.err = err;
        this.clock = clock;
        this.summary = summary;
        this.report = report;
    }

    /** Runs the importer as a process. */
    public static void main(String[] args) {
        System.exit(run(args, System.getenv(), System.out, System.err));
    }

    /**
     * Runs the importer with the given arguments and environment and answers its exit status (see {@link ExitStatus}).
     */
    public static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
        // First of all, so that a SIGTERM from now on ends with the summary: reading the options and opening the log
        // and the HTTP client can take seconds on a loaded machine. Nothing before it may load the logging library.
        Clock clock = Clock.systemUTC();
        ImportSummary summary = new ImportSummary();
        FinalReport report = FinalReport.install(summary, out, err, clock);
        try {
            return execute(args, new ImportMain(env, err, clock, summary, report), out, err);
        } finally {
            report.close();
        }
    }

    private static int execute(String[] args, ImportMain main, PrintStream out, PrintStream err) {
        CommandLine command = new CommandLine(main);
        command.setOut(new PrintWriter(out, true));
        command.setErr(new PrintWriter(err, true));
        command.setParameterExceptionHandler((e, arguments) -> {
            err.println("import: " + e.getMessage());
            err.println("Run 'import --help' for the options.");
            return ExitStatus.USAGE;
        });
        command.setExecutionExceptionHandler((e, line, parsed) -> {
            LoggerFactory.getLogger(ImportMain.class).error("The import failed unexpectedly", e);
            err.println("import: failed unexpectedly: " + e);
            return ExitStatus.FAILED;
        });
        return command.execute(args);
    }

    @Override
    public Integer call() {
        if (exitWithParent) {
            ParentWatch.exitWhenGone(ProcessHandle.current().parent(), err);
        }
        LogFormat logFormat = logFormat();
        ImportJob job = new ImportJob(
                file,
                logFormat,
                checkedType(),
                csvMapping(logFormat),
                checkedBatchSize(),
                BATCH_MAX_BYTES,
                checkedInFlight());
        URI baseUrl = commandUrl();
        RetryPolicy retry = retryPolicy();
        LogSource source = open();
        try (source) {
            Progress shown = new Progress(
                    progressMode(),
                    err,
                    clock,
                    Progress.Counts.of(summary),
                    source::bytesRead,
                    source.totalBytes(),
                    PROGRESS_LINE_INTERVAL);
            Optional<String> token = token();
            CommandServiceClient client =
                    new CommandServiceClient(baseUrl, token, retry, CONNECT_TIMEOUT, requestTimeout, shown::note);
            err.println("import: " + file + " (" + logFormat.name().toLowerCase(Locale.ROOT) + ") as " + aggregateType
                    + " to " + baseUrl);
            report.showing(shown);
            return new ImportRun(job, source, client::send, summary, report).run();
        } catch (IOException e) {
            err.println("import: closing " + file + " failed: " + e.getMessage());
            return ExitStatus.MALFORMED_LOG;
        }
    }

    /** The bearer token: the first line of {@code --token-file}, else {@code POLYGLOT_TOKEN}; never printed. */
    private Optional<String> token() {
        if (tokenFile == null) {
            return Optional.ofNullable(env.get("POLYGLOT_TOKEN")).filter(value -> !value.isBlank());
        }
        try (Stream<String> lines = Files.lines(tokenFile)) {
            return Optional.of(lines.findFirst()
                    .map(String::strip)
                    .filter(line -> !line.isEmpty())
                    .orElseThrow(() -> usage("--token-file " + tokenFile + " holds no token on its first line")));
        } catch (IOException | java.io.UncheckedIOException e) {
            throw usage("cannot read --token-file " + tokenFile + ": "
                    + e.getClass().getSimpleName());
        }
    }

    private LogFormat logFormat() {
        if (format != null) {
            return LogFormat.fromName(format)
                    .orElseThrow(() -> usage("--format must be xes or csv, not '" + format + "'"));
        }
        return LogFormat.fromFileName(file.getFileName().toString())
                .orElseThrow(
                        () -> usage("cannot tell the format of " + file + " from its name; give --format xes|csv"));
    }

    private String checkedType() {
        // The command service is the authority on names; checking here only fails fast, before the log is read.
        if (!AGGREGATE_TYPE.matcher(aggregateType).matches()) {
            throw usage("--type '" + aggregateType + "' is not an aggregate type: it must match " + AGGREGATE_TYPE
                    + " and is never rewritten");
        }
        return aggregateType;
    }

    private CsvMapping csvMapping(LogFormat logFormat) {
        boolean anyCsvFlag = Stream.of(
                        caseColumn,
                        activityColumn,
                        activity,
                        timeColumn,
                        lifecycleColumn,
                        resourceColumn,
                        timeFormat,
                        zone)
                .anyMatch(flag -> flag != null);
        if (logFormat == LogFormat.XES) {
            if (anyCsvFlag) {
                throw usage("the CSV column flags do not apply to an XES log");
            }
            return null;
        }
        if (caseColumn == null || timeColumn == null) {
            throw usage("a CSV log needs --case-column and --time-column");
        }
        if ((activityColumn == null) == (activity == null)) {
            throw usage("a CSV log needs exactly one of --activity-column and --activity");
        }
        return new CsvMapping(
                caseColumn, activityColumn, activity, timeColumn, lifecycleColumn, resourceColumn, timestamps());
    }

    private TimestampParser timestamps() {
        ZoneId zoneId;
        try {
            zoneId = zone == null ? null : ZoneId.of(zone);
        } catch (DateTimeException e) {
            throw usage("--zone '" + zone + "' is not a zone: " + e.getMessage());
        }
        try {
            return TimestampParser.of(timeFormat, zoneId);
        } catch (IllegalArgumentException e) {
            throw usage("--time-format '" + timeFormat + "' is not a date-time pattern: " + e.getMessage());
        }
    }

    private int checkedBatchSize() {
        if (batchSize < 1 || batchSize > BATCH_MAX_LINES) {
            throw usage("--batch-size must be between 1 and " + BATCH_MAX_LINES + ", not " + batchSize);
        }
        return batchSize;
    }

    private int checkedInFlight() {
        if (inFlight < 1 || inFlight > MAX_IN_FLIGHT) {
            throw usage("--in-flight must be between 1 and " + MAX_IN_FLIGHT + ", not " + inFlight);
        }
        return inFlight;
    }

    private RetryPolicy retryPolicy() {
        if (retries != null && retries < 0) {
            throw usage("--retries must not be negative, not " + retries);
        }
        if (retryFor.isNegative()) {
            throw usage("--retry-for must not be negative, not " + retryFor);
        }
        int attempts = retries == null || retries == Integer.MAX_VALUE ? Integer.MAX_VALUE : retries + 1;
        Duration maxBackoff = Duration.ofSeconds(10);
        return new RetryPolicy(
                attempts, retryBackoff, retryBackoff.compareTo(maxBackoff) > 0 ? retryBackoff : maxBackoff, retryFor);
    }

    private URI commandUrl() {
        String text = url != null ? url : env.getOrDefault("COMMAND_URL", DEFAULT_URL);
        String origin = url != null ? "--url" : "COMMAND_URL";
        try {
            URI uri = new URI(text.strip());
            if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
                throw usage(origin + " '" + text + "' is not an http(s) URL with a host");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw usage(origin + " '" + text + "' is not a URL: " + e.getMessage());
        }
    }

    private Progress.Mode progressMode() {
        return switch (progress.toLowerCase(Locale.ROOT)) {
            case "auto" -> Terminal.stderrIsTerminal(env.get("TERM")) ? Progress.Mode.BAR : Progress.Mode.LINES;
            case "bar" -> Progress.Mode.BAR;
            case "lines" -> Progress.Mode.LINES;
            case "json" -> Progress.Mode.JSON;
            case "off" -> Progress.Mode.OFF;
            default -> throw usage("--progress must be auto, bar, lines, json or off, not '" + progress + "'");
        };
    }

    private LogSource open() {
        if (Files.isDirectory(file)) {
            throw usage(file + " is a directory, not a log file");
        }
        if (!Files.exists(file)) {
            throw usage("no such file: " + file);
        }
        if (!Files.isRegularFile(file)) {
            throw usage(file + " is not a regular file (a device, a pipe or a socket), so it is no log file");
        }
        try {
            return LogSource.open(file);
        } catch (AccessDeniedException e) {
            throw usage("cannot read " + file + ": permission denied for user " + System.getProperty("user.name"));
        } catch (IOException e) {
            throw usage("cannot read " + file + ": " + e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }
}
