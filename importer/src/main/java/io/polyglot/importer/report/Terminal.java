package io.polyglot.importer.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Whether stderr is a terminal, to choose between a progress bar and plain progress lines. */
public final class Terminal {

    private Terminal() {}

    /**
     * Answers whether stderr is a terminal. Java cannot ask this of stderr alone; on Linux the link behind file
     * descriptor 2 names a terminal device; elsewhere an interactive console stands in. {@code TERM=dumb} never is one.
     */
    public static boolean stderrIsTerminal(String term) {
        if ("dumb".equals(term)) {
            return false;
        }
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return System.console() != null;
        }
    }
}
