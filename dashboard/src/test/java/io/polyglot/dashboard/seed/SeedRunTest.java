package io.polyglot.dashboard.seed;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * How an import's end is reported, against real child processes that end the way a dying importer does: a JVM error's
 * stack trace on stderr, nothing on stdout, and the JVM's own exit status.
 */
class SeedRunTest {

    @Test
    void keepsTheErrorLineOfAStackTraceAndDropsItsFrames() throws Exception {
        // when a process prints an error with 30 frames below it
        SeedRun run = finished(dyingJvm(), 1);

        // then
        @SuppressWarnings("unchecked")
        List<String> messages = (List<String>) run.status().get("messages");
        assertThat(messages)
                .contains("Exception in thread \"main\" java.lang.OutOfMemoryError: Java heap space")
                .noneMatch(
                        line -> line.strip().startsWith("at ") || line.strip().endsWith("more"));
    }

    @Test
    void saysTheImporterStoppedUnexpectedlyWhenItEndsWithStatus1AndNoSummary() throws Exception {
        // when
        SeedRun run = finished(dyingJvm(), 1);

        // then
        assertThat((String) run.status().get("outcome"))
                .contains("exit status 1 without a summary")
                .contains("see the messages")
                .doesNotContain("see the summary");
    }

    @Test
    void namesTheStatusOfAnEndTheImporterDoesNotKnow() throws Exception {
        // when
        SeedRun run = finished("echo summary; exit 7", 7);

        // then
        assertThat((String) run.status().get("outcome")).contains("exit status 7");
    }

    private static String dyingJvm() {
        return "echo 'Exception in thread \"main\" java.lang.OutOfMemoryError: Java heap space' >&2; "
                + "for i in $(seq 1 30); do printf"
                + " '\\tat io.polyglot.importer.log.XesReader.read(XesReader.java:%s)\\n'"
                + " $i >&2; done; printf '\\t... 4 more\\n' >&2; exit 1";
    }

    private static SeedRun finished(String script, int expectedStatus) throws Exception {
        Process process = new ProcessBuilder("sh", "-c", script).start();
        SeedRun run = SeedRun.follow("log.xes", "HelpdeskTicket", process, Optional.empty(), Clock.systemUTC());
        assertThat(run.awaitEnd(Duration.ofSeconds(30))).isTrue();
        assertThat(run.status()).containsEntry("exitStatus", expectedStatus);
        return run;
    }
}
