package io.polyglot.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PostgresHomeTest {
    @TempDir
    Path tempDir;

    private final ServerAccount account = ServerAccount.unprivilegedWhenRoot("postgres");

    @Test
    void keepsTheClusterInTheDataFolderWhenTheServerAccountCanReachIt() throws IOException {
        // given
        Files.setPosixFilePermissions(tempDir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path dataDir = Files.createDirectory(tempDir.resolve("reachable"));

        // when
        PostgresHome home = PostgresHome.prepare(dataDir, account);

        // then
        assertThat(home.root()).isEqualTo(dataDir.resolve("postgres"));
        assertThat(Files.isSymbolicLink(dataDir.resolve("postgres"))).isFalse();
        assertThat(Files.getOwner(home.root()).getName()).isEqualTo(account.name());
    }

    @Test
    void parksTheClusterUnderVarTmpWhenTheServerAccountCannotReachTheDataFolder() throws IOException {
        // The unreachable folder only exists when we are root and the server runs as another account.
        assumeTrue("root".equals(System.getProperty("user.name")), "only root hands the server to another account");
        // given
        Files.setPosixFilePermissions(tempDir, PosixFilePermissions.fromString("rwx------"));
        Path dataDir = Files.createDirectory(tempDir.resolve("private"));

        // when
        PostgresHome home = PostgresHome.prepare(dataDir, account);

        // then
        try {
            assertThat(home.root().getParent()).isEqualTo(PostgresHome.PARKING);
            assertThat(Files.readSymbolicLink(dataDir.resolve("postgres"))).isEqualTo(home.root());
            assertThat(dataDir.resolve("postgres-location.txt"))
                    .content()
                    .contains(home.root().toString());
            assertThat(Files.getOwner(home.root()).getName()).isEqualTo("postgres");
        } finally {
            deleteTree(home.root());
        }
    }

    @Test
    void removesAParkedClusterOnceItsDataFolderIsGone() throws IOException {
        assumeTrue("root".equals(System.getProperty("user.name")), "only root hands the server to another account");
        // given
        Files.setPosixFilePermissions(tempDir, PosixFilePermissions.fromString("rwx------"));
        Path vanishing = Files.createDirectory(tempDir.resolve("vanishing"));
        Path orphan = PostgresHome.prepare(vanishing, account).root();
        deleteTree(vanishing);
        Path staying = Files.createDirectory(tempDir.resolve("staying"));

        // when
        PostgresHome home = PostgresHome.prepare(staying, account);

        // then
        try {
            assertThat(orphan).doesNotExist();
            assertThat(home.root()).isDirectory();
        } finally {
            deleteTree(home.root());
        }
    }

    @Test
    void namesTheInstallCommandWhenNoBinariesExist() throws IOException {
        // given
        Path emptyRoot = Files.createDirectory(tempDir.resolve("no-postgresql"));

        // when / then
        assertThatThrownBy(() -> PostgresBinaries.locate(Map.of(), emptyRoot))
                .isInstanceOf(ServerStartException.class)
                .hasMessageContaining("apt-get install postgresql")
                .hasMessageContaining("POLYGLOT_PG_BIN");
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> tree = Files.walk(root)) {
            for (Path path : tree.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
