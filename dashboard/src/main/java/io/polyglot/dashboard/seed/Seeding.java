package io.polyglot.dashboard.seed;

import io.polyglot.dashboard.ProblemException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Seed page's imports, one at a time: each runs the importer's jar as a child process against the command service,
 * with the token in its environment (never on its command line) and nothing else of the dashboard's environment.
 * Uploaded logs are copied, within a size limit, to a folder of the dashboard's own, and deleted after their import.
 */
public final class Seeding implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Seeding.class);
    private static final Path JAVA = Path.of(System.getProperty("java.home"), "bin", "java");
    private static final int COPY_BUFFER = 64 * 1024;
    // The importer ends within a second or two of SIGTERM; the bound keeps a stuck one from holding the request.
    private static final int CANCEL_WAIT_SECONDS = 10;

    private final SeedFolder folder;
    private final Optional<Path> importerJar;
    private final String commandUrl;
    private final Optional<String> token;
    private final long uploadMaxBytes;
    private final Clock clock;
    private Path uploads;
    private SeedRun current;

    /**
     * @param folder the logs on disk it offers
     * @param importerJar the importer's jar; empty turns seeding off
     * @param commandUrl the command service the importer sends to
     * @param token the bearer token the importer sends, when the stack has one
     * @param uploadMaxBytes the largest upload it accepts
     */
    public Seeding(
            SeedFolder folder,
            Optional<Path> importerJar,
            String commandUrl,
            Optional<String> token,
            long uploadMaxBytes,
            Clock clock) {
        this.folder = folder;
        this.importerJar = importerJar;
        this.commandUrl = commandUrl;
        this.token = token;
        this.uploadMaxBytes = uploadMaxBytes;
        this.clock = clock;
    }

    public SeedFolder folder() {
        return folder;
    }

    public long uploadMaxBytes() {
        return uploadMaxBytes;
    }

    /**
     * Starts importing the log at {@code name} in the seed folder.
     *
     * @throws ProblemException 400 on a bad name or options, 409 while an import runs, 503 when seeding is off
     */
    public synchronized Map<String, Object> startFromFolder(String name, Function<String, String> form) {
        Path jar = requireImporter();
        Path file = folder.resolve(name);
        SeedOptions options = SeedOptions.from(form, file.getFileName().toString());
        requireNoImportRunning();
        return start(jar, file, name, options, Optional.empty());
    }

    /**
     * Starts importing an uploaded log of {@code fileName}, read from {@code content}.
     *
     * @throws ProblemException 400 on a bad name or options, 409 while an import runs, 413 for an upload over the
     *     limit, 503 when seeding is off
     */
    public synchronized Map<String, Object> startFromUpload(
            String fileName, InputStream content, Function<String, String> form) {
        Path jar = requireImporter();
        // Only the last name of what the browser sent, and only safe characters of it, become part of a path here.
        String name = fileName == null
                ? ""
                : fileName.substring(Math.max(fileName.lastIndexOf('/'), fileName.lastIndexOf('\\')) + 1);
        if (!SeedFolder.LOG_NAME.matcher(name).matches() || !name.matches("[A-Za-z0-9._-]+")) {
            throw ProblemException.badParameter(
                    "upload",
                    "upload a log named *.xes, *.csv, *.xes.gz or *.csv.gz of letters, digits, '.', '_' and '-', not '"
                            + fileName + "'");
        }
        SeedOptions options = SeedOptions.from(form, name);
        requireNoImportRunning();
        Path copy = copyUpload(name, content);
        try {
            return start(jar, copy, name + " (uploaded)", options, Optional.of(copy));
        } catch (RuntimeException e) {
            deleteQuietly(copy);
            throw e;
        }
    }

    /** The current or last import, or {@code {"state": "idle"}} before the first. */
    public synchronized Map<String, Object> status() {
        return current == null ? Map.of("state", "idle") : current.status();
    }

    /**
     * Stops the running import and answers once the importer has ended, with its final state ({@code cancelled}), or
     * after {@value #CANCEL_WAIT_SECONDS} s with the state {@code cancelling} when it has not ended by then.
     *
     * @throws ProblemException 409 when none runs
     */
    public Map<String, Object> cancel() {
        SeedRun run = cancelRunning();
        run.awaitEnd(Duration.ofSeconds(CANCEL_WAIT_SECONDS));
        return run.status();
    }

    // The wait happens outside the lock, so the page's status requests are answered meanwhile.
    private synchronized SeedRun cancelRunning() {
        if (current == null || !current.running()) {
            throw ProblemException.conflict("no import is running");
        }
        current.cancel();
        return current;
    }

    private Path requireImporter() {
        return importerJar.orElseThrow(
                () -> ProblemException.unavailable("seeding is off: IMPORTER_JAR names no importer jar"));
    }

    private void requireNoImportRunning() {
        if (current != null && current.running()) {
            throw ProblemException.conflict(
                    "an import of " + current.status().get("file") + " runs already; cancel it or wait for its end");
        }
    }

    private Map<String, Object> start(Path jar, Path file, String shown, SeedOptions options, Optional<Path> upload) {
        List<String> command = new ArrayList<>(List.of(JAVA.toString(), "-Xmx256m", "-jar", jar.toString()));
        command.addAll(options.arguments());
        command.addAll(List.of("--url=" + commandUrl, "--progress=json", "--exit-with-parent", "--", file.toString()));
        ProcessBuilder builder = new ProcessBuilder(command);
        // The importer needs nothing of the dashboard's environment, which holds the database's and the store's
        // secrets.
        builder.environment().clear();
        token.ifPresent(value -> builder.environment().put("POLYGLOT_TOKEN", value));
        try {
            current = SeedRun.follow(shown, options.aggregateType(), builder.start(), upload, clock);
        } catch (IOException e) {
            throw new UncheckedIOException("the importer could not be started", e);
        }
        log.info("Seed import started (file={}, aggregateType={})", shown, options.aggregateType());
        return current.status();
    }

    private Path copyUpload(String name, InputStream content) {
        Path copy = uploadsFolder().resolve(UUID.randomUUID() + "-" + name);
        try (InputStream in = content;
                OutputStream out = Files.newOutputStream(copy)) {
            byte[] buffer = new byte[COPY_BUFFER];
            long copied = 0;
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                copied += n;
                if (copied > uploadMaxBytes) {
                    throw ProblemException.tooLarge("the upload is larger than " + uploadMaxBytes + " bytes");
                }
                out.write(buffer, 0, n);
            }
            return copy;
        } catch (IOException e) {
            deleteQuietly(copy);
            throw new UncheckedIOException("the upload could not be stored", e);
        } catch (RuntimeException e) {
            deleteQuietly(copy);
            throw e;
        }
    }

    private Path uploadsFolder() {
        try {
            if (uploads == null) {
                uploads = Files.createTempDirectory("polyglot-seed-uploads-");
            }
            return uploads;
        } catch (IOException e) {
            throw new UncheckedIOException("no folder for uploads could be made", e);
        }
    }

    private static void deleteQuietly(Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            log.warn("A file could not be deleted (path={})", path, e);
        }
    }

    /** Ends a running import and removes the uploads folder. */
    @Override
    public synchronized void close() {
        if (current != null && current.running()) {
            current.stop();
        }
        if (uploads != null) {
            try (var paths = Files.list(uploads)) {
                paths.forEach(Seeding::deleteQuietly);
            } catch (IOException e) {
                log.warn("The uploads folder could not be emptied (path={})", uploads, e);
            }
            deleteQuietly(uploads);
        }
    }
}
