package io.polyglot.archive.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyPathsTest {

    @TempDir
    Path work;

    @Test
    void refusesEveryKeyThatCouldLeaveItsFolder() {
        // given
        Path folder = work.resolve("restore");
        List<String> hostile = List.of(
                "../x",
                "events/../../x",
                "events/Loan/../../../x",
                "/etc/passwd",
                "events\\..\\..\\x",
                "events/Loan/a\u0000b.avro",
                "events/Loan/a\nb.avro",
                "events//x",
                "events/./x",
                "..",
                ".",
                "",
                "events/" + "a".repeat(KeyPaths.MAX_KEY_BYTES));

        // when / then
        assertThat(hostile)
                .allSatisfy(key -> assertThatThrownBy(() -> KeyPaths.resolveInside(folder, key))
                        .isInstanceOf(UnsafeKeyException.class)
                        .satisfies(e ->
                                assertThat(((UnsafeKeyException) e).retriable()).isFalse()));
        assertThat(work).isEmptyDirectory();
    }

    @Test
    void shortensNoKeyAndShowsControlCharactersEscapedInTheMessage() {
        // given / when / then
        assertThatThrownBy(() -> KeyPaths.requireSafe("events/a\u0000b"))
                .hasMessageContaining("events/a\\u0000b")
                .hasMessageContaining("control character");
    }

    @Test
    void resolvesAPlainKeyInsideItsFolder() {
        // given
        String key = SegmentKey.of("Loan", 3, 7).value();

        // when
        Path resolved = KeyPaths.resolveInside(work, key);

        // then
        assertThat(resolved).startsWithRaw(work.toAbsolutePath().normalize().resolve("events"));
        assertThat(work.relativize(resolved).toString().replace('\\', '/')).isEqualTo(key);
        assertThat(Files.exists(resolved)).isFalse();
    }
}
