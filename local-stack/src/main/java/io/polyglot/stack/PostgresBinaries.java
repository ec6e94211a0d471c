package io.polyglot.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/** Where the machine's PostgreSQL server programs are: {@code POLYGLOT_PG_BIN}, else the newest Debian install. */
record PostgresBinaries(Path bin) {
    static final String BIN_VARIABLE = "POLYGLOT_PG_BIN";
    private static final Path DEBIAN_ROOT = Path.of("/usr/lib/postgresql");
    private static final List<String> REQUIRED = List.of("initdb", "pg_ctl", "postgres", "psql");

    static PostgresBinaries locate() {
        return locate(System.getenv(), DEBIAN_ROOT);
    }

    static PostgresBinaries locate(Map<String, String> environment, Path debianRoot) {
        String configured = environment.get(BIN_VARIABLE);
        if (configured != null && !configured.isBlank()) {
            Path bin = Path.of(configured);
            if (!complete(bin)) {
                throw new ServerStartException(BIN_VARIABLE + "=" + configured + " does not hold the programs "
                        + REQUIRED + "; point it at a PostgreSQL bin folder");
            }
            return new PostgresBinaries(bin);
        }
        Path preferred = debianRoot.resolve("15").resolve("bin");
        if (complete(preferred)) {
            return new PostgresBinaries(preferred);
        }
        return newestInstall(debianRoot)
                .map(PostgresBinaries::new)
                .orElseThrow(() -> new ServerStartException("no PostgreSQL server binaries found in " + debianRoot
                        + "/*/bin; install them with `apt-get install postgresql` (./polyglot up does this when it"
                        + " runs as root) or set " + BIN_VARIABLE + " to a folder holding " + REQUIRED));
    }

    Path program(String name) {
        return bin.resolve(name);
    }

    private static Optional<Path> newestInstall(Path debianRoot) {
        if (!Files.isDirectory(debianRoot)) {
            return Optional.empty();
        }
        try (Stream<Path> versions = Files.list(debianRoot)) {
            return versions.filter(version -> version.getFileName().toString().matches("\\d+"))
                    .sorted(Comparator.comparingInt((Path version) ->
                                    Integer.parseInt(version.getFileName().toString()))
                            .reversed())
                    .map(version -> version.resolve("bin"))
                    .filter(PostgresBinaries::complete)
                    .findFirst();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean complete(Path bin) {
        return REQUIRED.stream().allMatch(name -> Files.isExecutable(bin.resolve(name)));
    }
}
