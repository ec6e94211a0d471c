package io.polyglot.deploy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.polyglot.stack.FreePorts;
import io.polyglot.stack.PostgresServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * What the local stack keeps in {@code stack.json} in its home folder: the ports chosen on the first start (kept, so
 * clients configured once keep working) and the credentials the servers generated, so {@code ./polyglot env} answers
 * without asking the servers. The file is readable by its owner only.
 *
 * <p>{@code commandPort} is the first command-service instance's port; {@code moreCommandPorts} holds the ports of
 * instances 2..N when the stack runs several ({@code ./polyglot up --scale command-service=N}), empty for one. A file
 * written before instances could be scaled has no {@code moreCommandPorts} and means one instance.
 *
 * <p>{@code token} is the stack's {@code POLYGLOT_TOKEN}: 32 random bytes from {@link SecureRandom}, URL-safe base64,
 * made on the first start (or the first start after a file written before services had a token) and kept.
 *
 * <p>{@code dashboardPort} is the dashboard's port; a file written before the stack ran a dashboard has none (0), and
 * the next start picks one and keeps it.
 *
 * <p>{@code readerDatabaseUrl} is the read-only login's libpq URI ({@link PostgresServer#ensureReader()}); a file
 * written before the stack had that login has none, and the next start adds it.
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
        String s3SecretKey,
        List<Integer> moreCommandPorts,
        String token,
        int dashboardPort,
        String readerDatabaseUrl) {
    static final String FILE = "stack.json";
    private static final int TOKEN_BYTES = 32;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    StackState {
        moreCommandPorts = moreCommandPorts == null ? List.of() : List.copyOf(moreCommandPorts);
    }

    /** Fresh free ports and a fresh token, no server credentials yet. */
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
                null,
                List.of(),
                newToken(),
                FreePorts.pick(),
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

    StackState withCredentials(
            String databaseUrl,
            String postgresPassword,
            String readerDatabaseUrl,
            String s3AccessKey,
            String s3SecretKey) {
        return copy(
                databaseUrl,
                postgresPassword,
                readerDatabaseUrl,
                s3AccessKey,
                s3SecretKey,
                moreCommandPorts,
                token,
                dashboardPort);
    }

    /** This state with a token: itself when it has one, else with a fresh one. */
    StackState withToken() {
        if (token != null && !token.isBlank()) {
            return this;
        }
        return copy(moreCommandPorts, newToken(), dashboardPort);
    }

    /** This state with a dashboard port: itself when it has one, else with a free one, kept from then on. */
    StackState withDashboardPort() {
        if (dashboardPort > 0) {
            return this;
        }
        return copy(moreCommandPorts, token, FreePorts.pick());
    }

    /** The same server ports and credentials with these further command ports, token and dashboard port. */
    private StackState copy(List<Integer> more, String token, int port) {
        return copy(databaseUrl, postgresPassword, readerDatabaseUrl, s3AccessKey, s3SecretKey, more, token, port);
    }

    /** The same server ports with these credentials, further command ports, token and dashboard port. */
    private StackState copy(
            String databaseUrl,
            String postgresPassword,
            String readerDatabaseUrl,
            String s3AccessKey,
            String s3SecretKey,
            List<Integer> moreCommandPorts,
            String token,
            int dashboardPort) {
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
                s3SecretKey,
                moreCommandPorts,
                token,
                dashboardPort,
                readerDatabaseUrl);
    }

    private static String newToken() {
        byte[] bytes = new byte[TOKEN_BYTES];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** The ports of every command-service instance, the first one first. */
    List<Integer> commandPorts() {
        List<Integer> ports = new ArrayList<>();
        ports.add(commandPort);
        ports.addAll(moreCommandPorts);
        return List.copyOf(ports);
    }

    /** How many command-service instances the stack runs. */
    int commandInstances() {
        return 1 + moreCommandPorts.size();
    }

    /**
     * The state with {@code instances} command-service instances: the ports of the instances kept stay as they are,
     * an added instance gets a free port now (kept from then on), a removed one's port is forgotten.
     */
    StackState withCommandInstances(int instances) {
        if (instances < 1) {
            throw new IllegalArgumentException("a stack runs at least one command-service instance, not " + instances);
        }
        List<Integer> more =
                new ArrayList<>(moreCommandPorts.subList(0, Math.min(instances - 1, moreCommandPorts.size())));
        while (more.size() < instances - 1) {
            int port = FreePorts.pick();
            if (port != commandPort && !more.contains(port)) {
                more.add(port);
            }
        }
        return copy(more, token, dashboardPort);
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
                + commandPorts() + ", archiverHealth=" + archiverHealthPort + ", projectionHealth="
                + projectionHealthPort + ", dashboard=" + dashboardPort + ", credentials=****]";
    }
}
