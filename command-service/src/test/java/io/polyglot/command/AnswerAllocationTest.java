package io.polyglot.command;

import static io.polyglot.command.intake.ValidCommands.recordActivity;
import static org.assertj.core.api.Assertions.assertThat;

import io.polyglot.testservers.RequestAllocation;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An answer costs the request thread about what it holds, not a whole output buffer. Javalin copies every handler's
 * result into the response through a buffer of {@code http.responseBufferSize}, allocated for each response, and takes
 * that size from Jetty's output buffer (32 KiB) unless it is set: at 2,000 commands a second that was 64 MB of garbage
 * a second, about a third of what the service allocated, for answers of a hundred bytes. Reading a command's body
 * took a chunk of 8 KiB besides, whatever the body's announced length.
 */
class AnswerAllocationTest {

    /** Jetty's pool of request threads in the command service. */
    private static final String REQUEST_THREADS = "command-api";

    private static final int WARM_UP = 1_000;
    private static final int MEASURED = 500;

    /**
     * One service for both tests: each measures only the request threads while its own requests run, and what the
     * other sent before is answered by then.
     */
    @RegisterExtension
    static final CommandServiceFixture service = new CommandServiceFixture(Map.of());

    @Test
    void answersASmallRequestWithoutAllocatingAWholeOutputBufferForIt() throws Exception {
        // when
        long perAnswer = RequestAllocation.perRequest(
                REQUEST_THREADS,
                WARM_UP,
                MEASURED,
                () -> assertThat(service.running().get("/health/live").statusCode())
                        .isEqualTo(200));

        // then: less than the 32 KiB of Jetty's output buffer, which the copy alone took (39 KB an answer in all
        // before, 8.7 KB after)
        System.out.printf("bytes allocated by the request threads per answer: %d%n", perAnswer);
        assertThat(perAnswer).isLessThan(16 * 1024);
    }

    @Test
    void acceptsACommandWithoutAllocatingBuffersBeyondItsBodyAndItsAnswer() throws Exception {
        // when
        int[] sent = {0};
        long perCommand = RequestAllocation.perRequest(
                REQUEST_THREADS,
                WARM_UP,
                MEASURED,
                () -> assertThat(accept(service.running(), "command-" + sent[0]++)
                                .statusCode())
                        .isEqualTo(202));

        // then: intake, validation and the produce call, without a 32 KiB copy buffer or an 8 KiB read chunk
        // (60 KB a command with both, about 29 KB with the chunk alone, 21 KB without either)
        System.out.printf("bytes allocated by the request threads per accepted command: %d%n", perCommand);
        assertThat(perCommand).isLessThan(28 * 1024);
    }

    private static HttpResponse<String> accept(RunningCommandService running, String id) {
        return running.send(running.authorized(HttpRequest.newBuilder(running.uri("/v1/commands")))
                .header("Content-Type", "application/json")
                .header("Prefer", "respond-async")
                .POST(HttpRequest.BodyPublishers.ofString(
                        recordActivity(id, "case-" + id).toString()))
                .build());
    }
}
