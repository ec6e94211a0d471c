package io.polyglot.dashboard.workers;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Optional;

/**
 * The client of one worker's {@code /admin/} routes on its health port, with the stack's token: the dead-letter
 * decisions and listings, the rebuilds and the verifications all go through it. It hands back the worker's answer as
 * it is, and says with {@link UnansweredException} why there was none, so each page words the failure its own way.
 */
public final class WorkerAdmin {

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);

    private final HttpClient client = HttpClient.newBuilder()
            .proxy(HttpClient.Builder.NO_PROXY)
            .connectTimeout(CONNECT_TIMEOUT)
            .build();
    private final String name;
    private final String baseUrl;
    private final Optional<String> token;

    /**
     * @param name the worker, as errors name it
     * @param baseUrl the base URL of its health endpoint
     * @param token the bearer token, when the stack has one
     */
    public WorkerAdmin(String name, String baseUrl, Optional<String> token) {
        this.name = name;
        this.baseUrl = baseUrl;
        this.token = token;
    }

    /** The worker, as errors name it. */
    public String name() {
        return name;
    }

    /** The full URL of {@code pathAndQuery} on this worker. */
    public String url(String pathAndQuery) {
        return baseUrl + pathAndQuery;
    }

    /**
     * A worker's answer.
     *
     * @param status its HTTP status
     * @param contentType its content type, JSON when it sent none
     * @param body its body
     */
    public record Answer(int status, String contentType, String body) {}

    /** {@code POST path?query}, waiting at most {@code timeout}. */
    public Answer post(String pathAndQuery, Duration timeout) {
        return send(request(pathAndQuery, timeout).POST(HttpRequest.BodyPublishers.noBody()));
    }

    /** {@code GET path}, waiting at most {@code timeout}. */
    public Answer get(String path, Duration timeout) {
        return send(request(path, timeout).GET());
    }

    private HttpRequest.Builder request(String pathAndQuery, Duration timeout) {
        HttpRequest.Builder builder =
                HttpRequest.newBuilder(URI.create(url(pathAndQuery))).timeout(timeout);
        token.ifPresent(value -> builder.header("Authorization", "Bearer " + value));
        return builder;
    }

    private Answer send(HttpRequest.Builder request) {
        try {
            HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
            String contentType = response.headers().firstValue("Content-Type").orElse("application/json");
            return new Answer(response.statusCode(), contentType, response.body());
        } catch (IOException e) {
            throw new UnansweredException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UnansweredException(e);
        }
    }

    /** The worker gave no answer: it timed out, could not be reached, or the asking thread was interrupted. */
    public static final class UnansweredException extends RuntimeException {

        private static final long serialVersionUID = 1L;

        UnansweredException(Exception cause) {
            super(cause.getMessage(), cause);
        }

        /** Whether the worker took longer than the request's timeout. */
        public boolean timedOut() {
            return getCause() instanceof HttpTimeoutException;
        }

        /** Whether the asking thread was interrupted (its flag is set again). */
        public boolean interrupted() {
            return getCause() instanceof InterruptedException;
        }
    }
}
