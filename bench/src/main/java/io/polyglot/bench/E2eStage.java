package io.polyglot.bench;

import io.polyglot.schemas.Topics;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code e2e}: the BPI 2012 log in full (a slice of its first cases in a smoke run) through the stack as a user sends
 * it, {@code java -jar importer/target/importer.jar --type LoanApplication <log>}, from the importer's start to the
 * last view row (every case in {@code loan_applications} with all its events, the projection's stored offsets at the
 * end of {@code events.all}) and to the last sealed segment (the archiver's committed offsets at the end of {@code
 * events.all}, which never run ahead of what is stored). There is no raw engine to pair it with; it runs once per run,
 * because a second import of the same cases would be retries the decider answers from its store.
 */
final class E2eStage implements BenchStage {
    static final String LOG = "bpic2012/bpic2012.xes.gz";

    private static final Logger log = LoggerFactory.getLogger(E2eStage.class);
    private static final Duration LOOK = Duration.ofMillis(100);
    private static final Duration TIMEOUT = Duration.ofMinutes(20);
    private static final double TARGET_SECONDS = 60;
    private static final String END_TO_END = "first request to last row and segment";

    @Override
    public String id() {
        return "e2e";
    }

    @Override
    public String target() {
        return "BPI 2012 in full through the importer, first request to last view row and last sealed segment"
                + " <= 60 s";
    }

    @Override
    public int rounds(Pace pace) {
        return 1;
    }

    @Override
    public void before(StageContext context) throws Exception {
        context.ensureStackWorkers();
        // What earlier stages left on events.all is the workers' backlog, not this stage's work.
        context.quiet();
    }

    @Override
    public Map<String, Figure> ours(StageContext context, int round) throws Exception {
        Path source =
                context.repoRoot().resolveSibling("shared").resolve("datasets").resolve(LOG);
        int cases = context.pace().e2eCases();
        Path file = cases == 0 ? source : slice(source, context.workDir("e2e").resolve("slice.xes.gz"), cases);
        LogSize size = count(file);
        log.info("Importing {} ({} cases, {} events)", file, size.cases(), size.events());

        Path importer = context.repoRoot().resolve("importer").resolve("target").resolve("importer.jar");
        if (!Files.isRegularFile(importer)) {
            throw new StageFailedException(importer + " is missing; build the project first");
        }
        Path logFile = context.logs().resolve("importer-e2e.log");
        Files.createDirectories(logFile.getParent());
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder builder = new ProcessBuilder(
                        java,
                        "-jar",
                        importer.toString(),
                        "--type",
                        StageContext.AGGREGATE_TYPE,
                        "--progress",
                        "lines",
                        file.toString())
                .redirectErrorStream(true)
                .redirectOutput(logFile.toFile());
        builder.environment().put("COMMAND_URL", context.env().get("COMMAND_URL"));
        // The importer reads the stack's bearer token from its environment; every route of the API wants it.
        String token = context.env().get("POLYGLOT_TOKEN");
        if (token != null) {
            builder.environment().put("POLYGLOT_TOKEN", token);
        } else {
            builder.environment().remove("POLYGLOT_TOKEN");
        }

        long start = System.nanoTime();
        Process process = builder.start();
        double accepted = -1;
        double projected = -1;
        double archived = -1;
        Map<Integer, Long> ends = Map.of();
        try (Connection db = context.database();
                PreparedStatement rows = db.prepareStatement("SELECT count(*), coalesce(sum(event_count), 0)"
                        + " FROM projection.loan_application WHERE application_id NOT LIKE '%~%'");
                PreparedStatement stored = StageContext.storedProjectionOffsets(db)) {
            while (projected < 0 || archived < 0) {
                if (System.nanoTime() - start > TIMEOUT.toNanos()) {
                    throw new StageFailedException("the log was not imported, projected and archived within "
                            + TIMEOUT + " (accepted " + accepted + " s, projected " + projected + " s, archived "
                            + archived + " s); see " + logFile);
                }
                if (accepted < 0 && !process.isAlive()) {
                    if (process.exitValue() != 0) {
                        throw new StageFailedException(
                                "the importer exited with status " + process.exitValue() + "; see " + logFile);
                    }
                    accepted = seconds(start);
                    ends = context.endOffsets(Topics.EVENTS_ALL);
                }
                if (accepted >= 0
                        && projected < 0
                        && viewsComplete(rows, size)
                        && StageContext.atEnd(StageContext.offsets(stored), ends)) {
                    projected = seconds(start);
                }
                if (accepted >= 0
                        && archived < 0
                        && StageContext.atEnd(
                                context.committed(StageContext.ARCHIVER_GROUP, Topics.EVENTS_ALL), ends)) {
                    archived = seconds(start);
                }
                Thread.sleep(LOOK.toMillis());
            }
        } finally {
            if (process.isAlive()) {
                process.destroy();
            }
        }
        double total = Math.max(projected, archived);
        Map<String, Figure> figures = new LinkedHashMap<>();
        figures.put("accepted", new Figure(accepted, "s"));
        figures.put("projected", new Figure(projected, "s"));
        figures.put("archived", new Figure(archived, "s"));
        figures.put(END_TO_END, new Figure(total, "s"));
        figures.put("throughput", new Figure(size.events() / total, "events/s"));
        figures.put("events", new Figure(size.events(), "events"));
        figures.put("cases", new Figure(size.cases(), "cases"));
        return figures;
    }

    private static double seconds(long start) {
        return (System.nanoTime() - start) / 1e9;
    }

    private static boolean viewsComplete(PreparedStatement rows, LogSize size) throws SQLException {
        try (ResultSet result = rows.executeQuery()) {
            result.next();
            return result.getLong(1) >= size.cases() && result.getLong(2) >= size.events();
        }
    }

    @Override
    public Map<String, Figure> raw(StageContext context, int round) {
        return Map.of();
    }

    @Override
    public List<Ratio> ratios() {
        return List.of();
    }

    @Override
    public boolean met(Map<String, Summary> figures, Map<String, Summary> ratios) {
        return figures.get(END_TO_END).median() <= TARGET_SECONDS;
    }

    /** Cases and events of an XES log, counted by their elements, one per line as the log writes them. */
    record LogSize(long cases, long events) {}

    static LogSize count(Path file) throws IOException {
        long cases = 0;
        long events = 0;
        try (BufferedReader lines = reader(file)) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                String element = line.strip();
                if (element.equals("<trace>")) {
                    cases++;
                } else if (element.equals("<event>")) {
                    events++;
                }
            }
        }
        return new LogSize(cases, events);
    }

    /** Writes the log's head and its first {@code cases} traces, line by line, as a gzipped XES log of its own. */
    static Path slice(Path source, Path target, int cases) throws IOException {
        Files.createDirectories(target.getParent());
        int traces = 0;
        try (BufferedReader lines = reader(source);
                BufferedWriter out = new BufferedWriter(new OutputStreamWriter(
                        new GZIPOutputStream(Files.newOutputStream(target)), StandardCharsets.UTF_8))) {
            for (String line = lines.readLine(); line != null && traces < cases; line = lines.readLine()) {
                out.write(line);
                out.newLine();
                if (line.strip().equals("</trace>")) {
                    traces++;
                }
            }
            out.write("</log>");
            out.newLine();
        }
        return target;
    }

    private static BufferedReader reader(Path file) throws IOException {
        return new BufferedReader(new InputStreamReader(
                new GZIPInputStream(Files.newInputStream(file), 1 << 16), StandardCharsets.UTF_8));
    }
}
