package io.polyglot.bench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The command service's API as the load generator calls it: single commands sent asynchronously (for open-loop
 * latency) and batches sent synchronously (for throughput), over HTTP/1.1 keep-alive connections.
 */
final class CommandClient implements AutoCloseable {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final JsonFactory json = new JsonFactory();
    private final ExecutorService answers = Executors.newFixedThreadPool(2, daemon("bench-http"));
    private final HttpClient http;
    private final URI single;
    private final URI batch;
    /** The stack's POLYGLOT_TOKEN, sent as a bearer token; null when the stack has none. */
    private final String token;

    CommandClient(String commandUrl, String token) {
        this.token = token;
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .executor(answers)
                .build();
        this.single = URI.create(commandUrl + "/v1/commands");
        this.batch = URI.create(commandUrl + "/v1/commands:batch");
    }

    /**
     * Sends one command. Decided ({@code async} false): 200 or 409 is {@link OpenLoop.Outcome#ANSWERED}, 202 (the
     * decision wait ran out) {@link OpenLoop.Outcome#LATE}. With {@code Prefer: respond-async}: 202 is answered.
     */
    CompletableFuture<OpenLoop.Outcome> send(byte[] command, boolean async) {
        return http.sendAsync(post(single, "application/json", command, async), HttpResponse.BodyHandlers.discarding())
                .thenApply(response -> outcome(response.statusCode(), async));
    }

    private HttpRequest post(URI uri, String mediaType, byte[] body, boolean async) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri)
                .timeout(TIMEOUT)
                .header("Content-Type", mediaType)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        if (async) {
            request.header("Prefer", "respond-async");
        }
        return request.build();
    }

    private static OpenLoop.Outcome outcome(int status, boolean async) {
        if (status == 202) {
            return async ? OpenLoop.Outcome.ANSWERED : OpenLoop.Outcome.LATE;
        }
        if (!async && (status == 200 || status == 409)) {
            return OpenLoop.Outcome.ANSWERED;
        }
        return OpenLoop.Outcome.FAILED;
    }

    /** Posts one NDJSON batch and counts its result lines by status; a refused request counts every line failed. */
    BatchCounts sendBatch(byte[] ndjson, int lines, boolean async) throws IOException, InterruptedException {
        HttpResponse<byte[]> response =
                http.send(post(batch, "application/x-ndjson", ndjson, async), HttpResponse.BodyHandlers.ofByteArray());
        if (response.statusCode() != 200) {
            return new BatchCounts(0, 0, 0, lines);
        }
        return count(response.body());
    }

    private BatchCounts count(byte[] body) throws IOException {
        long accepted = 0;
        long rejected = 0;
        long pending = 0;
        long failed = 0;
        try (JsonParser parser = json.createParser(body)) {
            int depth = 0;
            for (JsonToken token = parser.nextToken(); token != null; token = parser.nextToken()) {
                if (token == JsonToken.START_OBJECT || token == JsonToken.START_ARRAY) {
                    depth++;
                } else if (token == JsonToken.END_OBJECT || token == JsonToken.END_ARRAY) {
                    depth--;
                } else if (depth == 1 && token == JsonToken.FIELD_NAME && "status".equals(parser.currentName())) {
                    String status = parser.nextTextValue();
                    switch (status == null ? "" : status) {
                        case "accepted" -> accepted++;
                        case "rejected" -> rejected++;
                        case "pending" -> pending++;
                        default -> failed++;
                    }
                }
            }
        }
        return new BatchCounts(accepted, rejected, pending, failed);
    }

    @Override
    public void close() {
        answers.shutdownNow();
    }

    static java.util.concurrent.ThreadFactory daemon(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }

    /**
     * Result lines of batches by status.
     *
     * @param accepted decided and accepted
     * @param rejected decided and refused by a rule or a version check
     * @param pending durably in Kafka, not decided yet (what {@code respond-async} answers)
     * @param failed lines with a problem, or lines of a refused request
     */
    record BatchCounts(long accepted, long rejected, long pending, long failed) {
        static final BatchCounts NONE = new BatchCounts(0, 0, 0, 0);

        BatchCounts plus(BatchCounts other) {
            return new BatchCounts(
                    accepted + other.accepted,
                    rejected + other.rejected,
                    pending + other.pending,
                    failed + other.failed);
        }

        long decided() {
            return accepted + rejected;
        }
    }
}
