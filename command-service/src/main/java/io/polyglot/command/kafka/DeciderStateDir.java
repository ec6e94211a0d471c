package io.polyglot.command.kafka;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The decider's local state folder ({@code state.dir}/{@code application.id}), and what a crash leaves in it. Kafka
 * Streams wipes and restores a task store it finds corrupted after a crash, but not the global store of command ids:
 * a process killed while that store was open may then fail at every start with "Invalid state during store open"
 * (KAFKA-21034). The global store is only a copy of the compacted {@code commands.ids} topic, so when the last run did
 * not close cleanly its folder is removed before the decider starts and Streams restores it from the topic.
 *
 * <p>A clean close leaves a marker file; a start removes the marker first, so a crash at any later moment is seen by
 * the next start.
 */
final class DeciderStateDir {

    private static final Logger log = LoggerFactory.getLogger(DeciderStateDir.class);

    static final String CLEAN_MARKER = ".closed-cleanly";
    static final String GLOBAL_STORES = "global";

    private final Path folder;

    DeciderStateDir(Path stateDir, String applicationId) {
        this.folder = stateDir.resolve(applicationId);
    }

    /**
     * Readies the folder for a start: removes the global store when the last run did not close cleanly, then the
     * marker.
     *
     * @return whether the global store was removed
     */
    boolean prepareForStart() {
        Path marker = folder.resolve(CLEAN_MARKER);
        Path global = folder.resolve(GLOBAL_STORES);
        try {
            boolean cleanly = Files.deleteIfExists(marker);
            if (cleanly || !Files.exists(global)) {
                return false;
            }
            log.warn(
                    "The decider's last run did not close cleanly; its global store of command ids in {} is removed"
                            + " and restored from the commands.ids topic",
                    global);
            try (Stream<Path> paths = Files.walk(global)) {
                for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(path);
                }
            }
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot ready the decider's state folder " + folder, e);
        }
    }

    /** Records that the decider closed cleanly, so the next start keeps its global store. */
    void markClosedCleanly() {
        try {
            if (Files.isDirectory(folder)) {
                Files.writeString(folder.resolve(CLEAN_MARKER), "");
            }
        } catch (IOException e) {
            log.warn(
                    "Cannot mark the decider's state folder {} as closed cleanly; the next start restores the command"
                            + " ids from their topic",
                    folder,
                    e);
        }
    }
}
