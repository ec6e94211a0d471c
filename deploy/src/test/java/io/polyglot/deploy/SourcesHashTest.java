package io.polyglot.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code sources_hash} function of the {@code ./polyglot} script, which decides whether {@code up} rebuilds: run
 * on a git checkout of its own that holds a copy of the script, a pom and one module source.
 */
class SourcesHashTest {
    static final Path SCRIPT = Path.of(System.getProperty("polyglot.root", ".."))
            .toAbsolutePath()
            .normalize()
            .resolve("polyglot");

    @TempDir
    Path checkout;

    @BeforeEach
    void createCheckout() throws Exception {
        Files.copy(SCRIPT, checkout.resolve("polyglot"));
        Files.writeString(checkout.resolve("pom.xml"), "<project/>");
        Files.createDirectories(checkout.resolve("module/src/main/java"));
        Files.writeString(checkout.resolve("module/src/main/java/Ticket.java"), "class Ticket {}");
        ShellWordsTest.bash("git init -q \"$1\" && git -C \"$1\" add pom.xml", checkout.toString());
    }

    @Test
    void staysTheSameWhenAUserWritesADownloadIntoTheCheckout() throws Exception {
        // given
        String before = sourcesHash();

        // when
        Files.writeString(checkout.resolve("tickets.csv"), "id,status\n1,closed\n");

        // then
        assertThat(sourcesHash()).isEqualTo(before);
    }

    @Test
    void changesWhenAnUntrackedModuleSourceChanges() throws Exception {
        // given
        String before = sourcesHash();

        // when
        Files.writeString(checkout.resolve("module/src/main/java/Ticket.java"), "class Ticket { int id; }");

        // then
        assertThat(sourcesHash()).isNotEqualTo(before);
    }

    @Test
    void changesWhenATrackedPomChanges() throws Exception {
        // given
        String before = sourcesHash();

        // when
        Files.writeString(checkout.resolve("pom.xml"), "<project><modules/></project>");

        // then
        assertThat(sourcesHash()).isNotEqualTo(before);
    }

    private String sourcesHash() throws IOException, InterruptedException {
        String function = "ROOT=\"$1\"; source <(sed -n '/^sources_hash()/,/^}/p' \"$ROOT/polyglot\"); sources_hash";
        String hash = ShellWordsTest.bash(function, checkout.toString()).strip();
        assertThat(hash).matches("[0-9a-f]{64}");
        return hash;
    }
}
