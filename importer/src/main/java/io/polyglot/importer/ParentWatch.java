package io.polyglot.importer;

import java.io.PrintStream;
import java.util.Optional;

/**
 * Ends the importer when the process that started it ends ({@code --exit-with-parent}). A program that runs the
 * importer as its child, such as the dashboard's Seed page, may be killed without a chance to stop it; the import
 * would then go on unseen, and the program's next start could run a second one beside it.
 */
final class ParentWatch {

    private ParentWatch() {}

    /**
     * Exits with {@link ExitStatus#FAILED} once {@code parent} has ended; at once when there is none, since the
     * process that started this one is then gone already.
     */
    static void exitWhenGone(Optional<ProcessHandle> parent, PrintStream err) {
        if (parent.isEmpty() || !parent.get().isAlive()) {
            stop(err);
            return;
        }
        // For a process that is not its child the JDK polls whether it lives, on a daemon thread of its own.
        parent.get().onExit().thenRun(() -> stop(err));
    }

    private static void stop(PrintStream err) {
        err.println("import: the process that started this import has ended; stopping (sent commands stay recorded)");
        err.flush();
        // exit, not halt: the shutdown hooks close the log file and the HTTP client
        System.exit(ExitStatus.FAILED);
    }
}
