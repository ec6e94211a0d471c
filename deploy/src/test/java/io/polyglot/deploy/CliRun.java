package io.polyglot.deploy;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import picocli.CommandLine;

/**
 * One run of {@code ./polyglot} in this JVM, as the tests see it: its exit code and what it printed on each stream.
 *
 * @param exitCode the exit code
 * @param out what it printed on stdout
 * @param err what it printed on stderr
 */
record CliRun(int exitCode, String out, String err) {

    /** Runs {@code ./polyglot args} against the stack in {@code home} running the jars of {@code repoRoot}. */
    static CliRun of(Path home, Path repoRoot, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine commandLine = PolyglotCli.commandLine(home, repoRoot);
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        int exitCode = commandLine.execute(args);
        return new CliRun(exitCode, out.toString(), err.toString());
    }

    @Override
    public String toString() {
        return "exit " + exitCode + "\nout:\n" + out + "\nerr:\n" + err;
    }
}
