package io.polyglot.dashboard.seed;

import io.polyglot.dashboard.ProblemException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The folder the Seed page offers event logs from ({@code SEED_DIRECTORY}): the XES and CSV files in it and its
 * subfolders, by their path relative to it. A name the page sends back is resolved only to a regular log file inside
 * the folder: absolute paths, {@code ..} and links that lead out of it are refused.
 */
public final class SeedFolder {

    /** The names the importer can tell the format of. */
    static final Pattern LOG_NAME = Pattern.compile("(?i).+\\.(xes|csv)(\\.gz)?");

    private static final int DEPTH = 4;

    private final Optional<Path> root;

    /** {@code root} empty: no folder is configured, and nothing is offered. */
    public SeedFolder(Optional<Path> root) {
        this.root = root.filter(Files::isDirectory).map(SeedFolder::real);
    }

    /**
     * A log the folder offers.
     *
     * @param path its path relative to the folder, with {@code /} between names
     * @param bytes its size
     */
    public record LogFile(String path, long bytes) {}

    /** The folder, when one is configured and exists. */
    public Optional<Path> root() {
        return root;
    }

    /** Every log in the folder, by path. */
    public List<LogFile> list() {
        if (root.isEmpty()) {
            return List.of();
        }
        try (Stream<Path> paths = Files.walk(root.get(), DEPTH)) {
            return paths.filter(Files::isRegularFile)
                    .filter(path ->
                            LOG_NAME.matcher(path.getFileName().toString()).matches())
                    .map(path -> new LogFile(relative(path), size(path)))
                    .sorted((a, b) -> a.path().compareTo(b.path()))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The log at {@code name}, relative to the folder.
     *
     * @throws ProblemException 400 when no folder is configured, or {@code name} is not a log file inside it
     */
    public Path resolve(String name) {
        Path folder = root.orElseThrow(
                () -> ProblemException.badParameter("file", "no SEED_DIRECTORY is configured; upload the log"));
        if (name == null || name.isBlank() || name.chars().anyMatch(c -> c < 0x20)) {
            throw ProblemException.badParameter("file", "name a log of the seed folder");
        }
        Path candidate = folder.resolve(name).normalize();
        if (Path.of(name).isAbsolute() || !candidate.startsWith(folder)) {
            throw ProblemException.badParameter("file", "'" + name + "' is outside the seed folder");
        }
        if (!Files.isRegularFile(candidate)
                || !LOG_NAME.matcher(candidate.getFileName().toString()).matches()) {
            throw ProblemException.badParameter("file", "the seed folder holds no log '" + name + "'");
        }
        if (!real(candidate).startsWith(folder)) {
            throw ProblemException.badParameter("file", "'" + name + "' leads outside the seed folder");
        }
        return candidate;
    }

    private String relative(Path path) {
        return root.orElseThrow().relativize(path).toString().replace('\\', '/');
    }

    private static long size(Path path) {
        try {
            return Files.size(path);
        } catch (IOException e) {
            return -1;
        }
    }

    private static Path real(Path path) {
        try {
            return path.toRealPath();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
