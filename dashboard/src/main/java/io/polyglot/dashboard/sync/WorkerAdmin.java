package io.polyglot.dashboard.sync;

import io.polyglot.dashboard.ProblemException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

/**
 * A client of one worker's {@code /admin/} routes on its health port, with the stack's token: the dashboard starts
 * and follows rebuilds and verifications through it, and relays the worker's answers as they are.
 */
final class WorkerAdmin {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final HttpClient client = HttpClient.newBuilder()
            .proxy(HttpClient.Builder.NO_PROXY)
            .connectTimeout(TIMEOUT)
            .build();
    private final String name;
    private final String baseUrl;
    private final Optional<String> token;

    /**
     * @param name the worker, as errors name it
     * @param baseUrl the base URL of its health endpoint
     * @param token the bearer token, when the stack has one
     */
    WorkerAdmin(String name, String baseUrl, Optional<String> token) {
        this.name = name;
        this.baseUrl = baseUrl;
        this.token = token;
    }

    /**
     * A worker's answer.
     *
     * @param status its HTTP status
     * @param contentType its content type
     * @param body its body, JSON
     */
    record Answer(int status, String contentType, String body) {}

    /** {@code POST path?query}. */
    Answer post(String pathAndQuery) {
        return send(request(pathAndQuery).POST(HttpRequest.BodyPublishers.noBody()));
    }

    /** {@code GET path}. */
    Answer get(String path) {
        return send(request(path).GET());
    }

    private HttpRequest.Builder request(String pathAndQuery) {
        HttpRequest.Builder builder =
                HttpRequest.newBuilder(URI.create(baseUrl + pathAndQuery)).timeout(TIMEOUT);
        token.ifPresent(value -> builder.header("Authorization", "Bearer " + value));
        return builder;
    }

    private Answer send(HttpRequest.Builder request) {
        try {
            HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
            String contentType = response.headers().firstValue("Content-Type").orElse("application/json");
            return new Answer(response.statusCode(), contentType, response.body());
        } catch (IOException e) {
            throw ProblemException.unreachable("the " + name + " at " + baseUrl + " did not answer: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ProblemException.unreachable("interrupted while asking the " + name);
        }
    }
}
