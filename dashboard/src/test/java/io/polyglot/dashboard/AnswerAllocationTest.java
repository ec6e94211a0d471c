package io.polyglot.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import io.polyglot.testservers.RequestAllocation;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An answer costs the request thread about what it holds: Javalin copies a handler's result into the response through
 * a buffer it allocates for each response, sized to Jetty's whole output buffer (32 KiB) unless the dashboard sets it.
 */
class AnswerAllocationTest {

    /** Javalin's default pool of request threads, which the dashboard keeps. */
    private static final String REQUEST_THREADS = "JettyServerThreadPool";

    @TempDir
    Path dataDir;

    @Test
    void answersASmallRequestWithoutAllocatingAWholeOutputBufferForIt() throws Exception {
        try (TestDashboard dashboard = TestDashboard.start(dataDir, Clock.systemUTC())) {
            // when
            long perAnswer = RequestAllocation.perRequest(
                    REQUEST_THREADS,
                    1_000,
                    500,
                    () -> assertThat(dashboard.get("/health/live").statusCode()).isEqualTo(200));

            // then: less than the 32 KiB of Jetty's output buffer, which the copy alone took (38.6 KB an answer in
            // all before, 7.9 KB after)
            System.out.printf("bytes allocated by the request threads per answer: %d%n", perAnswer);
            assertThat(perAnswer).isLessThan(16 * 1024);
        }
    }
}
