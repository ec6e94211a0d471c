package io.polyglot.dashboard.workers;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.polyglot.runtime.AdminResponse;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.time.Duration;
import java.util.Optional;

/**
 * The client of one worker's {@code /admin/} routes on its health port, with the stack's token: the dead-letter
 * decisions and listings, the rebuilds and the verifications all go through it. It hands back the worker's answer as
 * it is, and says with {@link UnansweredException} why there was none, so each page words the failure its own way.
 */
public final class WorkerAdmin {

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    private static final String PROBLEM_TYPE = "application/problem+json";
    private static final ObjectMapper JSON = new ObjectMapper();

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
            return new Answer(response.statusCode(), contentType, titled(contentType, response.body()));
        } catch (IOException e) {
            throw new UnansweredException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UnansweredException(e);
        }
    }

    /** A problem the worker sent without a title gets one from its type, so every relayed problem has one. */
    private static String titled(String contentType, String body) {
        if (!contentType.startsWith(PROBLEM_TYPE)) {
            return body;
        }
        try {
            JsonNode problem = JSON.readTree(body);
            if (!(problem instanceof ObjectNode object) || object.hasNonNull("title")) {
                return body;
            }
            String type = object.path("type").asText("");
            String title = AdminResponse.title(type.substring(type.lastIndexOf(':') + 1));
            object.put("title", title.isEmpty() ? "Worker problem" : title);
            return object.toString();
        } catch (JsonProcessingException e) {
            return body;
        }
    }

    /** The worker gave no answer: it timed out, could not be reached, or the asking thread was interrupted. */
    public static final class UnansweredException extends RuntimeException {

        private static final long serialVersionUID = 1L;

        UnansweredException(Exception cause) {
            super(cause.toString(), cause);
        }

        /** Why there was no answer, in words: "connection refused", "no answer within the timeout", ... */
        public String reason() {
            for (Throwable cause = getCause(); cause != null; cause = cause.getCause()) {
                if (cause instanceof HttpConnectTimeoutException) {
                    return "the connection timed out";
                }
                if (cause instanceof HttpTimeoutException) {
                    return "no answer within the timeout";
                }
                if (cause instanceof ConnectException) {
                    return "connection refused";
                }
                if (cause instanceof UnknownHostException || cause instanceof UnresolvedAddressException) {
                    return "unknown host";
                }
                if (cause instanceof InterruptedException) {
                    return "interrupted while waiting";
                }
            }
            Throwable cause = getCause();
            return cause.getMessage() == null
                    ? cause.getClass().getSimpleName()
                    : cause.getClass().getSimpleName() + ": " + cause.getMessage();
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
