package io.polyglot.bench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.net.URI;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.client.BytesRequestContent;
import org.eclipse.jetty.client.CompletableResponseListener;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The command service's API as the load generator calls it: single commands sent asynchronously (for open-loop
 * latency) and batches sent synchronously (for throughput), over HTTP/1.1 keep-alive connections.
 *
 * <p>It sends with Jetty's client, which costs a fraction of the CPU per request of the JDK's: the load generator
 * shares the machine with what it measures, and at 2,000 requests a second the JDK's client took a quarter of both
 * cores.
 */
final class CommandClient implements AutoCloseable {
    private static final long TIMEOUT_SECONDS = 30;
    private static final int MAX_BATCH_ANSWER_BYTES = 64 * 1024 * 1024;

    private final JsonFactory json = new JsonFactory();
    private final HttpClient http;
    private final URI single;
    private final URI batch;
    /** The stack's POLYGLOT_TOKEN, sent as a bearer token; null when the stack has none. */
    private final String token;

    /**
     * A client of the service at {@code commandUrl} with up to {@code maxConnections} connections open at once, one
     * per request in flight; the requests beyond them wait in the client's queue.
     */
    CommandClient(String commandUrl, String token, int maxConnections) {
        this.token = token;
        QueuedThreadPool threads = new QueuedThreadPool();
        threads.setName("bench-http");
        threads.setDaemon(true);
        this.http = new HttpClient();
        http.setExecutor(threads);
        http.setConnectTimeout(5_000);
        http.setMaxConnectionsPerDestination(maxConnections);
        http.setMaxRequestsQueuedPerDestination(4_096);
        http.setFollowRedirects(false);
        try {
            http.start();
        } catch (Exception e) {
            throw new IllegalStateException("the HTTP client did not start", e);
        }
        this.single = URI.create(commandUrl + "/v1/commands");
        this.batch = URI.create(commandUrl + "/v1/commands:batch");
    }

    /**
     * Sends one command. Decided ({@code async} false): 200 or 409 is {@link OpenLoop.Outcome#ANSWERED}, 202 (the
     * decision wait ran out) {@link OpenLoop.Outcome#LATE}. With {@code Prefer: respond-async}: 202 is answered.
     */
    CompletableFuture<OpenLoop.Outcome> send(byte[] command, boolean async) {
        CompletableFuture<OpenLoop.Outcome> answer = new CompletableFuture<>();
        post(single, "application/json", command, async).send(result -> {
            if (result.isFailed()) {
                answer.completeExceptionally(result.getFailure());
            } else {
                answer.complete(outcome(result.getResponse().getStatus(), async));
            }
        });
        return answer;
    }

    private Request post(URI uri, String mediaType, byte[] body, boolean async) {
        return http.newRequest(uri)
                .method(HttpMethod.POST)
                .timeout(TIMEOUT_SECONDS, TimeUnit.SECONDS)
                .headers(headers -> {
                    if (token != null) {
                        headers.put("Authorization", "Bearer " + token);
                    }
                    if (async) {
                        headers.put("Prefer", "respond-async");
                    }
                })
                .body(new BytesRequestContent(mediaType, body));
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
        ContentResponse response;
        try {
            response = new CompletableResponseListener(
                            post(batch, "application/x-ndjson", ndjson, async), MAX_BATCH_ANSWER_BYTES)
                    .send()
                    .get(TIMEOUT_SECONDS + 5, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IOException("the batch got no answer", e);
        }
        if (response.getStatus() != 200) {
            return new BatchCounts(0, 0, 0, lines);
        }
        return count(response.getContent());
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
        try {
            http.stop();
        } catch (Exception e) {
            throw new IllegalStateException("the HTTP client did not stop", e);
        }
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
