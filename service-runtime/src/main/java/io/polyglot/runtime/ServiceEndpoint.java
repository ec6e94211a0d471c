package io.polyglot.runtime;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The small HTTP endpoint of a worker process: {@code /health/live}, {@code /health/ready}, {@code /metrics}, and the
 * worker's own {@link AdminRoutes} under {@code /admin/} for requests its {@link AdminAccess} lets through (401
 * otherwise). Health is always open; unknown paths, and {@code /metrics} when the access guards it, get the same
 * check as the admin routes, so nothing is learned without the token. It binds where it is told (loopback by
 * default).
 */
public final class ServiceEndpoint implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ServiceEndpoint.class);

    private final HttpServer server;
    private final ExecutorService executor;

    private ServiceEndpoint(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /** Starts the endpoint without admin routes; {@code port} 0 picks a free port, see {@link #port()}. */
    public static ServiceEndpoint start(
            String host, int port, PrometheusMeterRegistry registry, BooleanSupplier ready) {
        return start(host, port, registry, ready, AdminRoutes.NONE, AdminAccess.OPEN);
    }

    /** Starts the endpoint with {@code admin} under {@code /admin/}, for callers {@code access} allows. */
    public static ServiceEndpoint start(
            String host,
            int port,
            PrometheusMeterRegistry registry,
            BooleanSupplier ready,
            AdminRoutes admin,
            AdminAccess access) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 16);
            ExecutorService executor = Executors.newFixedThreadPool(2, runnable -> {
                Thread thread = new Thread(runnable, "service-endpoint");
                thread.setDaemon(true);
                return thread;
            });
            server.setExecutor(executor);
            server.createContext("/health/live", exchange -> respond(exchange, 200, "{\"status\":\"up\"}"));
            server.createContext("/health/ready", exchange -> {
                boolean isReady = safely(ready);
                respond(
                        exchange,
                        isReady ? 200 : 503,
                        isReady ? "{\"status\":\"ready\"}" : "{\"status\":\"not ready\"}");
            });
            server.createContext("/metrics", exchange -> {
                if (!access.guardsMetrics() || admitted(exchange, access)) {
                    respond(exchange, 200, registry.scrape(), "text/plain; version=0.0.4");
                }
            });
            server.createContext("/admin/", exchange -> answerAdmin(exchange, admin, access));
            server.createContext("/", exchange -> {
                if (admitted(exchange, access)) {
                    respond(exchange, 404, "{\"status\":404,\"title\":\"Not Found\"}");
                }
            });
            server.start();
            return new ServiceEndpoint(server, executor);
        } catch (IOException e) {
            throw new UncheckedIOException("could not listen on " + host + ":" + port, e);
        }
    }

    /** The port it listens on. */
    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    private static boolean safely(BooleanSupplier ready) {
        try {
            return ready.getAsBoolean();
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** Whether {@code access} lets the request through; when not, it has been answered with 401. */
    private static boolean admitted(HttpExchange exchange, AdminAccess access) throws IOException {
        AccessVerdict verdict = access.verdict(exchange.getRequestHeaders());
        if (verdict.allowed()) {
            return true;
        }
        exchange.getResponseHeaders().set("WWW-Authenticate", verdict.challenge());
        AdminResponse refused = AdminResponse.problem(401, "unauthorized", verdict.detail());
        respond(exchange, refused.status(), refused.json(), refused.contentType());
        return false;
    }

    private static void answerAdmin(HttpExchange exchange, AdminRoutes admin, AdminAccess access) throws IOException {
        if (!admitted(exchange, access)) {
            return;
        }
        AdminResponse answer;
        try {
            answer = admin.handle(
                    exchange.getRequestMethod(),
                    exchange.getRequestURI().getRawPath(),
                    exchange.getRequestURI().getRawQuery());
        } catch (RuntimeException e) {
            log.error("Admin request {} {} failed", exchange.getRequestMethod(), exchange.getRequestURI(), e);
            answer = AdminResponse.problem(500, "internal", "the request failed; see the service log");
        }
        respond(exchange, answer.status(), answer.json(), answer.contentType());
    }

    private static void respond(HttpExchange exchange, int status, String body) throws IOException {
        respond(exchange, status, body, "application/json");
    }

    private static void respond(HttpExchange exchange, int status, String body, String contentType) throws IOException {
        try (exchange) {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", contentType);
            if ("HEAD".equals(exchange.getRequestMethod())) {
                exchange.sendResponseHeaders(status, -1);
                return;
            }
            exchange.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }
}
