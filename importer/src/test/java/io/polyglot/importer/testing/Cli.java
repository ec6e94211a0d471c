package io.polyglot.importer.testing;

import io.polyglot.importer.ImportMain;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** Runs the importer's command line in this JVM, capturing what it prints. */
public final class Cli {

    private Cli() {}

    /**
     * What one run printed and answered.
     *
     * @param exitStatus the exit status
     * @param out what went to stdout
     * @param err what went to stderr
     */
    public record Run(int exitStatus, String out, String err) {}

    /** Runs {@code import ARGS} with the given environment. */
    public static Run run(Map<String, String> env, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = ImportMain.run(
                args,
                env,
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
