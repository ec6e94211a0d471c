package io.polyglot.deploy;

import io.polyglot.stack.DetachedProcess;
import io.polyglot.stack.ServerStartException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/** Asks a service's {@code /health/ready} on 127.0.0.1, once or until it answers 200. */
final class ServiceHealth {
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(180);
    private static final Duration POLL_INTERVAL = Duration.ofMillis(250);

    private final HttpClient client = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(2))
            .proxy(HttpClient.Builder.NO_PROXY)
            .build();

    boolean ready(int port) {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health/ready"))
                .timeout(Duration.ofSeconds(5))
                .GET()
                .build();
        try {
            return client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * The service's {@code /metrics} page, empty when it does not answer; {@code token} is sent, so the page is read
     * whether the service keeps it open or not ({@code METRICS_OPEN}).
     */
    Optional<String> metrics(int port, String token) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                .timeout(Duration.ofSeconds(5));
        if (token != null) {
            builder.header("Authorization", "Bearer " + token);
        }
        HttpRequest request = builder.GET().build();
        try {
            HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 ? Optional.of(response.body()) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    void awaitReady(String name, int port, DetachedProcess process) {
        Instant deadline = Instant.now().plus(READY_TIMEOUT);
        while (!ready(port)) {
            if (!process.isAlive()) {
                throw new ServerStartException(
                        name + " exited during start-up; see " + process.logFile() + "\n" + process.logTail());
            }
            if (Instant.now().isAfter(deadline)) {
                throw new ServerStartException(name + " was not ready within " + READY_TIMEOUT.toSeconds() + "s; see "
                        + process.logFile() + "\n" + process.logTail());
            }
            try {
                Thread.sleep(POLL_INTERVAL.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ServerStartException("interrupted while waiting for " + name, e);
            }
        }
    }
}
