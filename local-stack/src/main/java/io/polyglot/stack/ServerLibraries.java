package io.polyglot.stack;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Finds the jars of a server module ({@code servers/kafka-broker/target/lib}, {@code servers/s3proxy/target/lib}) in
 * the repository: system property {@code polyglot.root}, else variable {@code POLYGLOT_ROOT}, else the first folder
 * above the working directory that holds {@code servers/}.
 */
final class ServerLibraries {
    static final String ROOT_PROPERTY = "polyglot.root";
    static final String ROOT_VARIABLE = "POLYGLOT_ROOT";

    private ServerLibraries() {}

    /** The repository root, as configured or found above the working directory. */
    static Path repositoryRoot() {
        String configured = Optional.ofNullable(System.getProperty(ROOT_PROPERTY))
                .filter(value -> !value.isBlank())
                .orElse(System.getenv(ROOT_VARIABLE));
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured).toAbsolutePath().normalize();
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isDirectory(dir.resolve("servers")) && Files.isRegularFile(dir.resolve("pom.xml"))) {
                return dir;
            }
        }
        throw new ServerStartException("cannot find the repository root: set -D" + ROOT_PROPERTY + " or "
                + ROOT_VARIABLE + ", or run from inside the repository");
    }

    /** The {@code target/lib} folder of {@code servers/<module>}, which must have been built. */
    static Path of(String module) {
        Path lib = repositoryRoot()
                .resolve("servers")
                .resolve(module)
                .resolve("target")
                .resolve("lib");
        if (!Files.isDirectory(lib)) {
            throw new ServerStartException(lib + " is missing; build it with `mvn -q -pl servers/" + module
                    + " package` (./polyglot up does)");
        }
        return lib;
    }

    /** The {@code java} program of the running JVM, so servers run on the same Java as the caller. */
    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
