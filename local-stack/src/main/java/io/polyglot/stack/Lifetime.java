package io.polyglot.stack;

/**
 * How long a launched server lives. Tests want {@link #THIS_JVM}: a test run that ends without closing its servers
 * (a forgotten {@code close()}, a failed {@code @BeforeAll}) must not leave them running. {@code ./polyglot up} wants
 * {@link #DETACHED}: it returns while the servers keep serving. A JVM killed with SIGKILL runs no shutdown hook, so
 * its servers outlive it either way; {@code ./polyglot down} or the pid in the data folder stops them then.
 */
public enum Lifetime {
    /** Stopped by a shutdown hook when this JVM exits, unless closed before. */
    THIS_JVM,
    /** Runs until closed or stopped by pid, whatever happens to this JVM. */
    DETACHED;

    void bind(String name, AutoCloseable server) {
        if (this == DETACHED) {
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> stopQuietly(server), "stop-" + name));
    }

    private static void stopQuietly(AutoCloseable server) {
        try {
            server.close();
        } catch (Exception e) {
            // The JVM is exiting; a server that cannot be stopped now is reported by the next start on its folder.
            System.err.println("could not stop " + server + " at exit: " + e);
        }
    }
}
