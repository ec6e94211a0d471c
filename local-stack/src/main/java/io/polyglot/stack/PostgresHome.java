package io.polyglot.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The folder the PostgreSQL account owns: the cluster, the unix socket and the server log. It is {@code postgres/} in
 * the data folder. When the server account cannot reach the data folder (a root-only {@code @TempDir}, say), the
 * folder is parked under {@code /var/tmp/polyglot-postgres/} instead, and {@code postgres/} becomes a symbolic link to
 * it with a note beside it. Parked folders whose data folder has gone are removed the next time one is parked.
 */
final class PostgresHome {
    static final Path PARKING = Path.of("/var/tmp/polyglot-postgres");
    private static final Logger log = LoggerFactory.getLogger(PostgresHome.class);
    private static final String ORIGIN_FILE = "origin";
    private static final String NOTE_FILE = "postgres-location.txt";
    /** Unix socket paths are limited to 107 bytes; the socket's own name takes up to 16 of them. */
    private static final int MAX_SOCKET_DIR_LENGTH = 90;

    private final Path root;
    private final Path socketDir;

    private PostgresHome(Path root, Path socketDir) {
        this.root = root;
        this.socketDir = socketDir;
    }

    static PostgresHome prepare(Path dataDir, ServerAccount account) {
        try {
            Path root = prepareRoot(dataDir, account);
            Path socketDir = root.resolve("socket");
            if (socketDir.toString().length() > MAX_SOCKET_DIR_LENGTH) {
                socketDir = PARKING.resolve(digest(dataDir) + ".socket");
            }
            if (!Files.isDirectory(socketDir)) {
                Files.createDirectories(socketDir);
                account.own(socketDir);
            }
            return new PostgresHome(root, socketDir);
        } catch (IOException e) {
            throw new UncheckedIOException("could not prepare the PostgreSQL folder in " + dataDir, e);
        }
    }

    /** The existing home of a data folder, if a cluster was ever created there. */
    static Optional<PostgresHome> existing(Path dataDir) {
        Path link = dataDir.resolve("postgres");
        if (!Files.isDirectory(link)) {
            return Optional.empty();
        }
        try {
            Path root = link.toRealPath();
            Path socketDir = root.resolve("socket");
            if (socketDir.toString().length() > MAX_SOCKET_DIR_LENGTH) {
                socketDir = PARKING.resolve(digest(dataDir) + ".socket");
            }
            return Optional.of(new PostgresHome(root, socketDir));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Path root() {
        return root;
    }

    Path cluster() {
        return root.resolve("cluster");
    }

    Path socketDir() {
        return socketDir;
    }

    Path logFile() {
        return root.resolve("postgres.log");
    }

    private static Path prepareRoot(Path dataDir, ServerAccount account) throws IOException {
        Path link = dataDir.resolve("postgres");
        if (Files.isDirectory(link)) {
            return link.toRealPath();
        }
        if (Files.isSymbolicLink(link)) {
            log.warn("The parked PostgreSQL folder of {} is gone; creating a new cluster", dataDir);
            Files.delete(link);
        }
        if (account.canTraverse(dataDir)) {
            Files.createDirectory(
                    link, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            account.own(link);
            return link;
        }
        return park(dataDir, link, account);
    }

    private static Path park(Path dataDir, Path link, ServerAccount account) throws IOException {
        Files.createDirectories(PARKING);
        Files.setPosixFilePermissions(PARKING, PosixFilePermissions.fromString("rwxr-xr-x"));
        removeOrphans();
        Path parked = PARKING.resolve(digest(dataDir));
        Files.createDirectories(parked);
        Files.writeString(parked.resolve(ORIGIN_FILE), dataDir.toString(), StandardCharsets.UTF_8);
        account.own(parked);
        Files.createSymbolicLink(link, parked);
        Files.writeString(
                dataDir.resolve(NOTE_FILE),
                "The PostgreSQL cluster of this folder lives in " + parked + " because the account " + account.name()
                        + " that runs the server cannot reach " + dataDir + ".\n"
                        + "postgres/ links to it. It is removed when this folder is gone and another cluster is"
                        + " parked.\n",
                StandardCharsets.UTF_8);
        log.info(
                "PostgreSQL folder of {} parked in {} ({} cannot reach the data folder)",
                dataDir,
                parked,
                account.name());
        return parked;
    }

    private static void removeOrphans() throws IOException {
        List<Path> parked;
        try (Stream<Path> entries = Files.list(PARKING)) {
            parked = entries.filter(entry -> Files.isRegularFile(entry.resolve(ORIGIN_FILE)))
                    .toList();
        }
        for (Path home : parked) {
            Path origin = Path.of(Files.readString(home.resolve(ORIGIN_FILE), StandardCharsets.UTF_8)
                    .strip());
            boolean abandoned = Files.notExists(origin.resolve("postgres"), LinkOption.NOFOLLOW_LINKS);
            if (abandoned && PostmasterPid.read(home.resolve("cluster")).isEmpty()) {
                log.info("Removing parked PostgreSQL folder {} of the vanished data folder {}", home, origin);
                deleteTree(home);
                deleteTree(PARKING.resolve(home.getFileName() + ".socket"));
            }
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (Files.notExists(root, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> tree = Files.walk(root)) {
            for (Path path : tree.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }

    private static String digest(Path dataDir) {
        try {
            byte[] sha = MessageDigest.getInstance("SHA-256")
                    .digest(dataDir.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(sha, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
