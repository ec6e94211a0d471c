package io.polyglot.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The load generator's client against a real HTTP server on loopback (the JDK's), which stands in for the command
 * service: what is under test is how the client uses connections and reads answers, not the service.
 */
class CommandClientTest {

    private final ExecutorService serverThreads = Executors.newFixedThreadPool(32);
    private final Set<Integer> clientPorts = ConcurrentHashMap.newKeySet();
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicInteger mostOpenAtOnce = new AtomicInteger();
    private final List<String> tokens = new ArrayList<>();
    private HttpServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
        serverThreads.shutdownNow();
    }

    @Test
    void opensNoMoreConnectionsThanItsLimitAndQueuesTheOtherRequests() throws Exception {
        // given a server that holds each request 100 ms, so that requests overlap
        String url = serve(exchange -> {
            int now = open.incrementAndGet();
            mostOpenAtOnce.accumulateAndGet(now, Math::max);
            clientPorts.add(exchange.getRemoteAddress().getPort());
            sleep(100);
            open.decrementAndGet();
            answer(exchange, 202, "{\"status\":\"pending\"}");
        });

        // when 24 commands go out at once through a client of at most 4 connections
        List<CompletableFuture<OpenLoop.Outcome>> answers = new ArrayList<>();
        try (CommandClient client = new CommandClient(url, "secret", 4)) {
            for (int i = 0; i < 24; i++) {
                answers.add(client.send("{}".getBytes(StandardCharsets.UTF_8), true));
            }
            CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        }

        // then every one is answered, over at most 4 connections, never more than 4 requests at the server at once
        assertThat(answers).allSatisfy(answer -> assertThat(answer.join()).isEqualTo(OpenLoop.Outcome.ANSWERED));
        assertThat(clientPorts).hasSizeBetween(1, 4);
        assertThat(mostOpenAtOnce.get()).isBetween(1, 4);
        assertThat(tokens).hasSize(24).containsOnly("Bearer secret");
    }

    @Test
    void tellsADecidedAnswerFromOneThatRanOutOfTimeAndFromAFailure() throws Exception {
        // given a server that answers by the command's body
        String url = serve(exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            answer(exchange, Integer.parseInt(body), "{}");
        });

        // when
        try (CommandClient client = new CommandClient(url, null, 2)) {
            // then
            assertThat(client.send(bytes("200"), false).get()).isEqualTo(OpenLoop.Outcome.ANSWERED);
            assertThat(client.send(bytes("409"), false).get()).isEqualTo(OpenLoop.Outcome.ANSWERED);
            assertThat(client.send(bytes("202"), false).get()).isEqualTo(OpenLoop.Outcome.LATE);
            assertThat(client.send(bytes("202"), true).get()).isEqualTo(OpenLoop.Outcome.ANSWERED);
            assertThat(client.send(bytes("200"), true).get()).isEqualTo(OpenLoop.Outcome.FAILED);
            assertThat(client.send(bytes("503"), false).get()).isEqualTo(OpenLoop.Outcome.FAILED);
        }
        assertThat(tokens).hasSize(6).containsOnlyNulls();
    }

    @Test
    void countsTheLinesOfABatchAnswerByStatus() throws Exception {
        // given a server that answers a batch of four lines, one of each status
        String url = serve(exchange -> answer(
                exchange,
                200,
                "{\"line\":1,\"status\":\"accepted\",\"events\":[{\"status\":\"x\"}]}\n"
                        + "{\"line\":2,\"status\":\"rejected\"}\n{\"line\":3,\"status\":\"pending\"}\n"
                        + "{\"line\":4,\"status\":\"invalid-command\"}\n"));

        // when
        CommandClient.BatchCounts counts;
        try (CommandClient client = new CommandClient(url, "secret", 2)) {
            counts = client.sendBatch(bytes("{}\n{}\n{}\n{}\n"), 4, true);
        }

        // then a status inside a line's events is not counted as a line
        assertThat(counts).isEqualTo(new CommandClient.BatchCounts(1, 1, 1, 1));
    }

    @Test
    void countsEveryLineOfARefusedBatchAsFailed() throws Exception {
        // given
        String url = serve(exchange -> answer(exchange, 413, "{\"type\":\"payload-too-large\"}"));

        // when
        CommandClient.BatchCounts counts;
        try (CommandClient client = new CommandClient(url, null, 2)) {
            counts = client.sendBatch(bytes("{}\n{}\n{}\n"), 3, false);
        }

        // then
        assertThat(counts).isEqualTo(new CommandClient.BatchCounts(0, 0, 0, 3));
    }

    private String serve(HttpHandler handler) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        server.setExecutor(serverThreads);
        server.createContext("/", exchange -> {
            synchronized (tokens) {
                tokens.add(exchange.getRequestHeaders().getFirst("Authorization"));
            }
            handler.handle(exchange);
        });
        server.start();
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private static void answer(HttpExchange exchange, int status, String body) {
        byte[] bytes = bytes(body);
        try (exchange) {
            exchange.getRequestBody().readAllBytes();
            exchange.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
