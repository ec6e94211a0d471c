package io.polyglot.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A quiet build ({@code mvn -q -B}, what {@code ./polyglot up} runs) prints nothing when it succeeds. Maven 3.8 writes
 * an ANSI reset after each line it leaves out, even in batch mode and with colour off, so the script's output and a
 * CI log were strewn with {@code ESC[0m}; {@code .mvn/jvm.config} turns those resets off for every build of the
 * project.
 */
class QuietBuildTest {

    private static final Path ROOT = Path.of("").toAbsolutePath().getParent();

    @Test
    void aQuietBuildPrintsNothing() throws Exception {
        // given: the project's own settings, the root alone, offline (the reactor running this test resolved its
        // plugins)
        ProcessBuilder builder = new ProcessBuilder("mvn", "-o", "-q", "-B", "-N", "validate")
                .directory(ROOT.toFile())
                .redirectErrorStream(true);

        // when
        Process maven = builder.start();
        byte[] printed = maven.getInputStream().readAllBytes();
        boolean ended = maven.waitFor(2, TimeUnit.MINUTES);

        // then
        assertThat(ended).as("mvn ended").isTrue();
        String output = new String(printed, StandardCharsets.UTF_8);
        assertThat(maven.exitValue()).as(output).isZero();
        assertThat(output).as("what a quiet build printed").isEmpty();
    }
}
