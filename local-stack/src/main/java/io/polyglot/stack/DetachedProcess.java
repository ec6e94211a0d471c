package io.polyglot.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A long-running process (a broker JVM, S3Proxy, a service of the pipeline) with its output in a log file and its pid
 * in a pid file. It starts in a session of its own ({@code setsid}), with no terminal and no standard input, so it
 * outlives the JVM that started it and ignores a Ctrl-C meant for that JVM. It is stopped by its process id only.
 */
public final class DetachedProcess {

    /** How long {@code start} waits for the child to run its own command rather than the JVM's spawn helper. */
    private static final Duration EXEC_WAIT = Duration.ofSeconds(30);

    private static final String SETSID = "/usr/bin/setsid";

    private final ProcessHandle handle;
    private final Path logFile;

    private DetachedProcess(ProcessHandle handle, Path logFile) {
        this.handle = handle;
        this.logFile = logFile;
    }

    /** Starts {@code command}, appending its output to {@code logFile} and recording its pid in {@code pidFile}. */
    public static DetachedProcess start(List<String> command, Path workingDir, Path logFile, Path pidFile) {
        return start(command, Map.of(), workingDir, logFile, pidFile);
    }

    /** Like {@link #start(List, Path, Path, Path)}, with {@code environment} added to this JVM's environment. */
    public static DetachedProcess start(
            List<String> command, Map<String, String> environment, Path workingDir, Path logFile, Path pidFile) {
        List<String> detached = new ArrayList<>();
        if (Files.isExecutable(Path.of(SETSID))) {
            // Started from a JVM the child is no group leader, so setsid replaces itself with the server: same pid.
            detached.add(SETSID);
        }
        detached.addAll(command);
        try {
            Files.createDirectories(logFile.getParent());
            ProcessBuilder builder = new ProcessBuilder(detached)
                    .directory(workingDir.toFile())
                    .redirectErrorStream(true)
                    .redirectInput(
                            ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
            builder.environment().putAll(environment);
            Process process = builder.start();
            Files.writeString(pidFile, process.pid() + "\n", StandardCharsets.UTF_8);
            awaitOwnCommand(process.toHandle(), command);
            return new DetachedProcess(process.toHandle(), logFile);
        } catch (IOException e) {
            throw new ServerStartException("could not start " + command.get(0) + " (log: " + logFile + ")", e);
        }
    }

    /**
     * The process recorded in {@code pidFile}, if it is alive and its command line still contains {@code marker} (a
     * pid can be reused by an unrelated process after a reboot).
     */
    public static Optional<DetachedProcess> attach(Path pidFile, String marker, Path logFile) {
        if (!Files.isRegularFile(pidFile)) {
            return Optional.empty();
        }
        long pid;
        try {
            pid = Long.parseLong(
                    Files.readString(pidFile, StandardCharsets.UTF_8).strip());
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + pidFile, e);
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        return ProcessHandle.of(pid)
                .filter(ProcessHandle::isAlive)
                .filter(process -> commandLine(process).contains(marker))
                .map(process -> new DetachedProcess(process, logFile));
    }

    public long pid() {
        return handle.pid();
    }

    public boolean isAlive() {
        return handle.isAlive();
    }

    public Path logFile() {
        return logFile;
    }

    /** The end of the log, for error messages. */
    public String logTail() {
        try {
            List<String> lines = Files.readAllLines(logFile, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(log " + logFile + " unreadable: " + e.getMessage() + ")";
        }
    }

    /** Asks the process to stop (SIGTERM), waits up to {@code grace}, then kills it (SIGKILL) and waits again. */
    public void stop(Duration grace) {
        if (!handle.isAlive()) {
            return;
        }
        handle.destroy();
        if (!awaitExit(grace)) {
            kill();
        }
    }

    /** Kills the process at once (SIGKILL) and waits until it is gone. */
    public void kill() {
        handle.destroyForcibly();
        if (!awaitExit(Duration.ofSeconds(30))) {
            throw new ServerStartException("process " + handle.pid() + " survived SIGKILL");
        }
    }

    private boolean awaitExit(Duration timeout) {
        try {
            handle.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ServerStartException("interrupted while waiting for process " + handle.pid() + " to exit", e);
        } catch (ExecutionException e) {
            throw new ServerStartException("could not wait for process " + handle.pid(), e);
        }
    }

    /**
     * Returns once the child runs {@code command}, it has exited, or {@link #EXEC_WAIT} has passed. Right after
     * {@link ProcessBuilder#start()} the child can still be the JVM's spawn helper, so an {@link #attach} at that
     * moment (a {@code status} just after {@code up}) would not recognise it. Neither the program's name nor one
     * argument tells them apart: the helper lives under the JDK's folder, whose name holds "java", and its own
     * arguments are file descriptor numbers such as {@code 298:300:301}; and while {@code setsid} replaces itself with
     * the program, the command line can read empty for a moment. So the child is ours once its executable is neither
     * the helper nor {@code setsid} and its command line holds all our arguments in order.
     */
    private static void awaitOwnCommand(ProcessHandle process, List<String> command) {
        String arguments = String.join(" ", command.subList(1, command.size()));
        long deadline = System.nanoTime() + EXEC_WAIT.toNanos();
        while (process.isAlive() && !runs(process, arguments) && System.nanoTime() < deadline) {
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static boolean runs(ProcessHandle process, String arguments) {
        String executable = process.info().command().orElse("");
        return !executable.isEmpty()
                && !executable.endsWith("/jspawnhelper")
                && !executable.equals(SETSID)
                && commandLine(process).contains(arguments);
    }

    private static String commandLine(ProcessHandle process) {
        return process.info().commandLine().orElse("");
    }
}
