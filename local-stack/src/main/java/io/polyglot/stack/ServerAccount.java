package io.polyglot.stack;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operating-system account a server runs as. Normally that is whoever runs the JVM; when that is root, servers that
 * refuse to run as root (PostgreSQL) run as an unprivileged system account instead, through {@code runuser}.
 */
final class ServerAccount {
    private static final Logger log = LoggerFactory.getLogger(ServerAccount.class);
    private static final Duration QUICK = Duration.ofSeconds(30);

    private final String name;
    private final boolean switchUser;

    private ServerAccount(String name, boolean switchUser) {
        this.name = name;
        this.switchUser = switchUser;
    }

    /** Ourselves, or {@code unprivileged} (created as a system account if missing) when the JVM runs as root. */
    static ServerAccount unprivilegedWhenRoot(String unprivileged) {
        if (!"root".equals(System.getProperty("user.name"))) {
            return new ServerAccount(System.getProperty("user.name"), false);
        }
        if (!ExternalCommand.run(List.of("id", "-u", unprivileged), QUICK).succeeded()) {
            log.info("Creating system account {} to run the server", unprivileged);
            ExternalCommand.run(
                            List.of(
                                    "useradd",
                                    "--system",
                                    "--user-group",
                                    "--no-create-home",
                                    "--shell",
                                    "/usr/sbin/nologin",
                                    unprivileged),
                            QUICK)
                    .orThrow("creating the system account " + unprivileged);
        }
        return new ServerAccount(unprivileged, true);
    }

    String name() {
        return name;
    }

    /** The command, run as this account. */
    List<String> command(List<String> command) {
        if (!switchUser) {
            return command;
        }
        List<String> wrapped = new ArrayList<>(List.of("runuser", "-u", name, "--"));
        wrapped.addAll(command);
        return wrapped;
    }

    /** Whether this account can reach files inside {@code dir}, i.e. every folder on the way is traversable. */
    boolean canTraverse(Path dir) {
        return !switchUser
                || ExternalCommand.run(command(List.of("test", "-x", dir.toString())), QUICK)
                        .succeeded();
    }

    /** Hands {@code path} and everything below it to this account. */
    void own(Path path) {
        if (switchUser) {
            ExternalCommand.run(List.of("chown", "-R", name + ":", path.toString()), QUICK)
                    .orThrow("handing " + path + " to " + name);
        }
    }
}
