package io.polyglot.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A stand-in for the command service's {@code POST /v1/commands:batch} on a random loopback port: it accepts every
 * line and remembers the {@code Authorization} header of each request, so a test sees what the importer sent; it can
 * hold its answers back, so an import stays running for as long as a test needs.
 */
final class AcceptingCommandService implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final List<String> authorizations = new CopyOnWriteArrayList<>();
    private final AtomicLong commands = new AtomicLong();
    private volatile CountDownLatch held = new CountDownLatch(0);

    private AcceptingCommandService(HttpServer server) {
        this.server = server;
    }

    static AcceptingCommandService start() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 8);
        AcceptingCommandService service = new AcceptingCommandService(server);
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        server.createContext("/v1/commands:batch", service::answer);
        server.start();
        return service;
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    List<String> authorizations() {
        return authorizations;
    }

    long commands() {
        return commands.get();
    }

    /** Holds every later request unanswered until {@link #release()}. */
    void hold() {
        held = new CountDownLatch(1);
    }

    /** Answers the held requests and every later one. */
    void release() {
        held.countDown();
    }

    private void answer(HttpExchange exchange) throws IOException {
        try (exchange) {
            awaitRelease();
            authorizations.add(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            StringBuilder out = new StringBuilder();
            List<String> lines = body.lines().filter(line -> !line.isBlank()).toList();
            for (int i = 0; i < lines.size(); i++) {
                JsonNode command = JSON.readTree(lines.get(i));
                ObjectNode result = JSON.createObjectNode()
                        .put("line", i + 1)
                        .put("commandId", command.path("commandId").asText())
                        .put("status", "accepted");
                result.putArray("events").addObject().put("eventId", "e-" + i).put("aggregateVersion", 1);
                out.append(result).append('\n');
                commands.incrementAndGet();
            }
            byte[] bytes = out.toString().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/x-ndjson");
            exchange.sendResponseHeaders(200, bytes.length);
            try (OutputStream response = exchange.getResponseBody()) {
                response.write(bytes);
            }
        }
    }

    private void awaitRelease() {
        try {
            held.await(5, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        release();
        server.stop(0);
    }
}
