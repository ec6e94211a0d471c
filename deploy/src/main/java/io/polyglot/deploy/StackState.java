package io.polyglot.deploy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.polyglot.stack.FreePorts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;

/**
 * What the local stack keeps in {@code stack.json} in its home folder: the ports chosen on the first start (kept, so
 * clients configured once keep working) and the credentials the servers generated, so {@code ./polyglot env} answers
 * without asking the servers. The file is readable by its owner only.
 */
record StackState(
        int kafkaPort,
        int postgresPort,
        int s3Port,
        int commandPort,
        int archiverHealthPort,
        int projectionHealthPort,
        String databaseUrl,
        String postgresPassword,
        String s3AccessKey,
        String s3SecretKey) {
    static final String FILE = "stack.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** Fresh free ports, no credentials yet. */
    static StackState withFreePorts() {
        return new StackState(
                FreePorts.pick(),
                FreePorts.pick(),
                FreePorts.pick(),
                FreePorts.pick(),
                FreePorts.pick(),
                FreePorts.pick(),
                null,
                null,
                null,
                null);
    }

    static Optional<StackState> load(Path home) {
        Path file = home.resolve(FILE);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(JSON.readValue(file.toFile(), StackState.class));
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + file + "; remove it to pick new ports", e);
        }
    }

    StackState withCredentials(String databaseUrl, String postgresPassword, String s3AccessKey, String s3SecretKey) {
        return new StackState(
                kafkaPort,
                postgresPort,
                s3Port,
                commandPort,
                archiverHealthPort,
                projectionHealthPort,
                databaseUrl,
                postgresPassword,
                s3AccessKey,
                s3SecretKey);
    }

    void save(Path home) {
        Path file = home.resolve(FILE);
        Path next = home.resolve(FILE + ".next");
        try {
            Files.createDirectories(home);
            Files.deleteIfExists(next);
            Files.createFile(next, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            JSON.writeValue(next.toFile(), this);
            Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("could not write " + file, e);
        }
    }

    @Override
    public String toString() {
        return "StackState[kafka=" + kafkaPort + ", postgres=" + postgresPort + ", s3=" + s3Port + ", command="
                + commandPort + ", archiverHealth=" + archiverHealthPort + ", projectionHealth="
                + projectionHealthPort + ", credentials=****]";
    }
}
