package io.polyglot.dashboard.seed;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One import the Seed page started: the importer's process, followed through its {@code --progress json} lines on
 * stderr (its other lines are kept as messages), its summary on stdout, and its exit status. An uploaded log is
 * deleted once the process has ended.
 */
final class SeedRun {

    private static final Logger log = LoggerFactory.getLogger(SeedRun.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<Map<String, Object>> PROGRESS_LINE = new TypeReference<>() {};
    private static final int MESSAGES_KEPT = 20;
    private static final Map<Integer, String> OUTCOMES = Map.of(
            0, "every event read was accepted",
            1, "some events were rejected or not decided (see the summary)",
            2, "bad usage (see the messages)",
            3, "the command service was unreachable, stayed unavailable or refused the requests",
            4, "the log is malformed, too large to read, or its gzip file truncated or corrupt (see the messages)",
            5, "the importer failed (see the messages)",
            143, "the importer was stopped (SIGTERM)");
    // A JVM stack trace's frames ("\tat ...", "... 3 more"): the messages keep the lines that say what went wrong.
    private static final Pattern STACK_FRAME = Pattern.compile("^\\s+(at \\S|\\.\\.\\. \\d+ more)");

    private final String file;
    private final String aggregateType;
    private final Process process;
    private final Optional<Path> upload;
    private final Clock clock;
    private final Instant startedAt;
    private final ArrayDeque<String> messages = new ArrayDeque<>();
    private final StringBuilder summary = new StringBuilder();
    private final CountDownLatch ended = new CountDownLatch(1);
    private volatile Map<String, Object> progress = Map.of();
    private volatile boolean cancelled;
    private volatile Instant endedAt;
    private volatile Integer exitStatus;

    private SeedRun(String file, String aggregateType, Process process, Optional<Path> upload, Clock clock) {
        this.file = file;
        this.aggregateType = aggregateType;
        this.process = process;
        this.upload = upload;
        this.clock = clock;
        this.startedAt = clock.instant();
    }

    /** Starts following {@code process}, which runs the importer on {@code file}. */
    static SeedRun follow(String file, String aggregateType, Process process, Optional<Path> upload, Clock clock) {
        SeedRun run = new SeedRun(file, aggregateType, process, upload, clock);
        Thread follower = new Thread(run::followToTheEnd, "seed-import");
        follower.setDaemon(true);
        follower.start();
        return run;
    }

    boolean running() {
        return exitStatus == null;
    }

    /** Stops the importer; what it sent so far stays sent. */
    void cancel() {
        cancelled = true;
        process.destroy();
    }

    /** Waits at most {@code wait} for the importer to end; true when it has. */
    boolean awaitEnd(Duration wait) {
        try {
            return ended.await(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !running();
        }
    }

    /** Ends the importer at once, for a dashboard that closes. */
    void stop() {
        cancelled = true;
        process.destroyForcibly();
    }

    /** Where the run stands, for {@code GET /api/seed}. */
    synchronized Map<String, Object> status() {
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("state", state());
        status.put("file", file);
        status.put("aggregateType", aggregateType);
        status.put("startedAt", startedAt.toString());
        status.put("endedAt", endedAt == null ? null : endedAt.toString());
        status.put("progress", progress);
        status.put("messages", List.copyOf(messages));
        status.put("summary", summary.toString());
        status.put("exitStatus", exitStatus);
        status.put("outcome", exitStatus == null || cancelled ? null : outcome(exitStatus));
        return status;
    }

    /**
     * What the exit status says. Status 1 without a summary is not the importer's "rejected" but a JVM that died (an
     * uncaught error ends it with 1 too), so the outcome then points at the messages, not at an empty summary.
     */
    private String outcome(int status) {
        String said = OUTCOMES.get(status);
        if (said == null || (status == 1 && summary.length() == 0)) {
            return "the importer ended with exit status " + status + (summary.length() == 0 ? " without a summary" : "")
                    + ": it stopped unexpectedly (see the messages)";
        }
        return said;
    }

    private String state() {
        if (exitStatus == null) {
            return cancelled ? "cancelling" : "running";
        }
        if (cancelled) {
            return "cancelled";
        }
        return exitStatus == 0 ? "succeeded" : "failed";
    }

    private void followToTheEnd() {
        Thread summaryReader = new Thread(() -> readSummary(process.getInputStream()), "seed-import-summary");
        summaryReader.setDaemon(true);
        summaryReader.start();
        try {
            readProgress(process.getErrorStream());
            summaryReader.join(TimeUnit.SECONDS.toMillis(30));
            int status = process.waitFor();
            endedAt = clock.instant();
            exitStatus = status;
            log.info("Seed import ended (file={}, exitStatus={}, cancelled={})", file, status, cancelled);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        } finally {
            upload.ifPresent(SeedRun::delete);
            ended.countDown();
        }
    }

    private void readProgress(InputStream stderr) {
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(stderr, StandardCharsets.UTF_8))) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                take(line);
            }
        } catch (IOException e) {
            log.debug("The importer's stderr ended early", e);
        }
    }

    private void take(String line) {
        if (line.startsWith("{")) {
            try {
                Map<String, Object> object = JSON.readValue(line, PROGRESS_LINE);
                if (object.containsKey("note")) {
                    message(String.valueOf(object.get("note")));
                } else {
                    progress = Map.copyOf(object);
                }
                return;
            } catch (JsonProcessingException e) {
                // not one of the importer's JSON lines: kept as a message like any other line
            }
        }
        message(line);
    }

    private synchronized void message(String line) {
        if (STACK_FRAME.matcher(line).find()) {
            return;
        }
        messages.addLast(line);
        while (messages.size() > MESSAGES_KEPT) {
            messages.removeFirst();
        }
    }

    private void readSummary(InputStream stdout) {
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(stdout, StandardCharsets.UTF_8))) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                synchronized (this) {
                    summary.append(line).append('\n');
                }
            }
        } catch (IOException e) {
            log.debug("The importer's stdout ended early", e);
        }
    }

    private static void delete(Path upload) {
        try {
            Files.deleteIfExists(upload);
        } catch (IOException e) {
            log.warn("An uploaded log could not be deleted (path={})", upload, e);
        }
    }
}
