package io.polyglot.importer.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.polyglot.importer.command.Batch;
import io.polyglot.importer.command.RecordActivityCommands;
import io.polyglot.importer.log.CaseEvent;
import io.polyglot.importer.testing.LoopbackPorts;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * How the client words the failures of a command service that is away, and whether it counts the batch as having
 * left the machine. A port nobody listens on refuses for real; a real server socket on loopback that starts an answer
 * and closes the connection halfway stands in for a command service stopped while answering, which cannot be timed
 * otherwise.
 */
class FailureWordsTest {

    private static final RetryPolicy TWO_ATTEMPTS =
            new RetryPolicy(2, Duration.ofMillis(10), Duration.ofMillis(10), Duration.ofMinutes(1));

    private final List<String> notices = new ArrayList<>();

    private CommandServiceClient client(URI url) {
        return new CommandServiceClient(
                url, Optional.empty(), TWO_ATTEMPTS, Duration.ofSeconds(2), Duration.ofSeconds(10), notices::add);
    }

    private static Batch batch() {
        CaseEvent event = new CaseEvent("Case 1", 1, "step", null, null, "2020-01-01T00:00:00Z", Map.of(), 1);
        return new Batch(List.of(new RecordActivityCommands("Ticket").toCommand(event)));
    }

    @Test
    void saysThatTheCommandServiceIsNotListeningAndThatNothingWasSentWhenEveryConnectionIsRefused() throws Exception {
        // given a loopback port nobody listens on
        URI nobody = URI.create("http://127.0.0.1:" + LoopbackPorts.unused());
        AtomicInteger left = new AtomicInteger();

        // when / then
        assertThatThrownBy(() -> client(nobody).send(batch(), left::incrementAndGet))
                .isInstanceOfSatisfying(CommandServiceException.class, e -> {
                    assertThat(e.getMessage())
                            .contains("the command service at " + nobody + " is not listening (connection refused)")
                            .contains("[ConnectException");
                    assertThat(e.notSentBecause())
                            .hasValue("the command service at " + nobody + " could not be reached");
                });
        assertThat(left).hasValue(0);
        assertThat(notices)
                .singleElement()
                .asString()
                .contains("is not listening")
                .containsPattern("waited [0-9.]+ s so far");
    }

    @Test
    void saysThatTheCommandServiceClosedTheConnectionBeforeAnsweringInFull() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            // given a server that reads each request and breaks off its chunked answer in the middle of a chunk
            Thread answering = new Thread(() -> answerHalfway(server), "half-answers");
            answering.setDaemon(true);
            answering.start();
            URI url = URI.create("http://127.0.0.1:" + server.getLocalPort());
            AtomicInteger left = new AtomicInteger();

            // when / then
            assertThatThrownBy(() -> client(url).send(batch(), left::incrementAndGet))
                    .isInstanceOfSatisfying(CommandServiceException.class, e -> {
                        assertThat(e.getMessage())
                                .contains("the command service at " + url
                                        + " closed the connection before answering in full, e.g. it stopped [")
                                .doesNotContain("not listening");
                        assertThat(e.notSentBecause()).isEmpty();
                    });
            assertThat(left)
                    .as("counted as leaving once, however often it was sent")
                    .hasValue(1);
        }
    }

    private static void answerHalfway(ServerSocket server) {
        while (!server.isClosed()) {
            try (Socket connection = server.accept()) {
                readRequest(connection.getInputStream());
                OutputStream out = connection.getOutputStream();
                out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/x-ndjson\r\nTransfer-Encoding: chunked\r\n\r\n"
                                + "40\r\n{\"line\":1,")
                        .getBytes(StandardCharsets.US_ASCII));
                out.flush();
            } catch (IOException e) {
                return; // the test closed the server
            }
        }
    }

    /** Reads the request head and its body, whose length the head gives. */
    private static void readRequest(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                return;
            }
            head.append((char) b);
        }
        int length = 0;
        for (String line : head.toString().split("\r\n")) {
            if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
                length = Integer.parseInt(
                        line.substring("content-length:".length()).strip());
            }
        }
        in.readNBytes(length);
    }
}
