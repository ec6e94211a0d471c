package io.polyglot.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** What {@code postmaster.pid} of a cluster says about its running server, if one is alive. */
record PostmasterPid(long pid, int port) {
    static Optional<PostmasterPid> read(Path cluster) {
        Path file = cluster.resolve("postmaster.pid");
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + file, e);
        }
        if (lines.size() < 4) {
            // The server writes the file in steps at start-up; until the port line is there it is not usable yet.
            return Optional.empty();
        }
        long pid = Long.parseLong(lines.get(0).strip());
        int port = Integer.parseInt(lines.get(3).strip());
        boolean alive = ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
        return alive ? Optional.of(new PostmasterPid(pid, port)) : Optional.empty();
    }
}
