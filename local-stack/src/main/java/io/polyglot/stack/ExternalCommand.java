package io.polyglot.stack;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.LoggerFactory;

/**
 * Runs a short-lived program (initdb, pg_ctl, psql, chown) to completion and keeps what it printed. The output goes to
 * a temporary file rather than a pipe because a program that starts a daemon may hand the pipe on to it, and reading
 * such a pipe would never end.
 */
final class ExternalCommand {
    /** How a program ended and what it printed on stdout and stderr together. */
    record Outcome(List<String> command, int exitCode, String output) {
        boolean succeeded() {
            return exitCode == 0;
        }

        /** The same outcome with every occurrence of the secrets masked, so that an error message cannot leak them. */
        Outcome redacting(String... secrets) {
            List<String> maskedCommand = command;
            String maskedOutput = output;
            for (String secret : secrets) {
                maskedCommand = maskedCommand.stream()
                        .map(word -> word.replace(secret, "****"))
                        .toList();
                maskedOutput = maskedOutput.replace(secret, "****");
            }
            return new Outcome(maskedCommand, exitCode, maskedOutput);
        }

        Outcome orThrow(String what) {
            if (!succeeded()) {
                throw new ServerStartException(
                        what + " failed with exit code " + exitCode + ": " + String.join(" ", command) + "\n" + output);
            }
            return this;
        }
    }

    private ExternalCommand() {}

    static Outcome run(List<String> command, Map<String, String> environment, Duration timeout) {
        Path output = null;
        try {
            output = Files.createTempFile("polyglot-command-", ".out");
            ProcessBuilder builder = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectInput(
                            ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                    .redirectOutput(output.toFile());
            builder.environment().putAll(environment);
            Process process = builder.start();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                // Only the program's name: its arguments may hold a password.
                throw new ServerStartException(
                        "gave up after " + timeout.toSeconds() + "s waiting for " + program(command));
            }
            return new Outcome(
                    List.copyOf(command),
                    process.exitValue(),
                    Files.readString(output, StandardCharsets.UTF_8).strip());
        } catch (IOException e) {
            throw new ServerStartException("could not run " + program(command), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ServerStartException("interrupted while running " + program(command), e);
        } finally {
            deleteQuietly(output);
        }
    }

    static Outcome run(List<String> command, Duration timeout) {
        return run(command, Map.of(), timeout);
    }

    private static String program(List<String> command) {
        int start = command.get(0).equals("runuser") ? command.indexOf("--") + 1 : 0;
        return command.get(start);
    }

    private static void deleteQuietly(Path file) {
        if (file == null) {
            return;
        }
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // A leftover temporary file is harmless; the outcome of the command matters more than its cleanup.
            LoggerFactory.getLogger(ExternalCommand.class).debug("Could not remove {}", file, e);
        }
    }
}
