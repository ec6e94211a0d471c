package io.polyglot.command;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real broker and command service for one test class (registered as a static extension field: started before the
 * class's tests with the test defaults and {@code env} on top, closed after them with the folder they kept data in).
 */
final class CommandServiceFixture implements BeforeAllCallback, AfterAllCallback {

    private final Map<String, String> env;
    private Path dataDir;
    private RunningCommandService running;

    CommandServiceFixture(Map<String, String> env) {
        this.env = Map.copyOf(env);
    }

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        dataDir = Files.createTempDirectory("command-service-");
        running = RunningCommandService.start(dataDir, env);
    }

    @Override
    public void afterAll(ExtensionContext context) throws IOException {
        try {
            if (running != null) {
                running.close();
            }
        } finally {
            if (dataDir != null) {
                deleteRecursively(dataDir);
            }
        }
    }

    private static void deleteRecursively(Path folder) throws IOException {
        try (Stream<Path> paths = Files.walk(folder)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }

    /** The service, once the class's tests have started. */
    RunningCommandService running() {
        return running;
    }
}
