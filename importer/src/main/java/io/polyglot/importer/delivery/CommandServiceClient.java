package io.polyglot.importer.delivery;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.polyglot.importer.command.Batch;
import io.polyglot.importer.command.PendingCommand;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends batches of commands to the command service's {@code POST /v1/commands:batch} as NDJSON and reads its NDJSON
 * answer, one result per line.
 *
 * <p>Transient faults are retried by {@link RetryPolicy} with the same command ids: a refused or reset connection, a
 * timeout, a {@code 429}, {@code 502}, {@code 503} or {@code 504} for the whole request, and single lines rejected as
 * {@code kafka-unavailable} (only those lines are sent again). Anything else that refuses the whole request is fatal.
 *
 * <p>Lines answered {@code pending} (durably in Kafka, but not decided within the command service's decision wait) are
 * sent again too, with the same command id and the same bytes, in the same bounded rounds: the decider answers a
 * command id it has decided with its first decision and produces nothing new, and the command service waits for that
 * decision again, so a resend is a wait for the decision that needs no other endpoint. Polling
 * {@code GET /v1/commands/{id}} would tell the same, but one request per command instead of one per batch, and with
 * an answer ({@code 404}) of its own to interpret. A line still pending when the attempts run out is answered as
 * {@link LineResult.Status#PENDING}: the import goes on and counts it as not decided.
 */
public final class CommandServiceClient {

    private static final Logger log = LoggerFactory.getLogger(CommandServiceClient.class);
    private static final String BATCH_PATH = "/v1/commands:batch";
    private static final String NDJSON = "application/x-ndjson";
    private static final Set<Integer> TRANSIENT_STATUSES = Set.of(429, 502, 503, 504);
    private static final int MAX_BODY_IN_MESSAGE = 300;

    private final String baseUrl;
    private final URI batchUri;
    private final Optional<String> token;
    private final RetryPolicy retry;
    private final Duration connectTimeout;
    private final Duration requestTimeout;
    private final Consumer<String> notices;
    private final HttpClient http;
    private final ObjectMapper json = new ObjectMapper();

    /**
     * @param baseUrl the command service's base URL, e.g. {@code http://127.0.0.1:8080}
     * @param token the bearer token to send, if any
     * @param retry how transient faults are retried
     * @param connectTimeout how long to wait for a connection
     * @param requestTimeout how long to wait for the answer to one batch
     * @param notices where to tell the user about retries
     */
    public CommandServiceClient(
            URI baseUrl,
            Optional<String> token,
            RetryPolicy retry,
            Duration connectTimeout,
            Duration requestTimeout,
            Consumer<String> notices) {
        this.baseUrl = baseUrl.toString().replaceAll("/+$", "");
        this.batchUri = URI.create(this.baseUrl + BATCH_PATH);
        this.token = token;
        this.retry = retry;
        this.connectTimeout = connectTimeout;
        this.requestTimeout = requestTimeout;
        this.notices = notices;
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(connectTimeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    /**
     * Sends one batch, retrying transient faults and pending lines, and answers the final result of every command in
     * it; a command still pending after the last attempt is answered as pending.
     *
     * <p>Why resending only some lines keeps each case in order: a {@code pending} line was produced to Kafka, keyed by
     * its case, before the later lines of its case in the same request, so those are on the same partition after it
     * and the decider decides them after it whatever the resend does; the resend only fetches the decision already
     * made or about to be. A later batch holding the case is not sent before this method returns ({@link
     * SendWindow}), and would also land behind it on that partition. ({@code kafka-unavailable} lines were not
     * acknowledged by Kafka, so their order on resend is a known gap, see the README.)
     *
     * @throws CommandServiceException when retries ran out with the request failing or lines rejected as
     *     {@code kafka-unavailable}, or the request was refused as a whole
     * @throws InterruptedException when interrupted while waiting for an answer or a retry
     */
    public BatchAnswer send(Batch batch) throws CommandServiceException, InterruptedException {
        return send(batch, () -> {});
    }

    /**
     * Like {@link #send(Batch)}, and runs {@code leaving} once, as the first request of the batch that got a
     * connection starts sending its body: a batch whose every attempt failed to connect never left the machine.
     *
     * @throws CommandServiceException as {@link #send(Batch)}; {@link CommandServiceException#notSentBecause()} tells
     *     whether no attempt got as far as a connection
     */
    public BatchAnswer send(Batch batch, Runnable leaving) throws CommandServiceException, InterruptedException {
        LineResult[] results = new LineResult[batch.size()];
        List<Integer> outstanding = IntStream.range(0, batch.size()).boxed().toList();
        long firstAttempt = System.nanoTime();
        AtomicBoolean left = new AtomicBoolean();
        Runnable once = () -> {
            if (left.compareAndSet(false, true)) {
                leaving.run();
            }
        };
        for (int attempt = 1; ; attempt++) {
            Attempt outcome = attempt(batch, outstanding, once);
            if (outcome.results() != null) {
                outstanding = keepResults(outstanding, outcome.results(), results);
                if (outstanding.isEmpty()) {
                    return new BatchAnswer(batch, Arrays.asList(results), attempt);
                }
            }
            // before any request was answered no line has a result: none is pending
            long pending = outstanding.stream()
                    .filter(i -> results[i] != null && results[i].pending())
                    .count();
            long unavailable = outstanding.size() - pending;
            String fault = outcome.results() == null ? outcome.fault() : whyAgain(unavailable, pending, batch.size());
            Duration elapsed = Duration.ofNanos(System.nanoTime() - firstAttempt);
            Duration wait = retry.backoffAfter(attempt, outcome.retryAfter());
            if (!retry.mayRetryAfter(attempt, elapsed, wait)) {
                String tried = attempt + " attempts in " + seconds(elapsed);
                if (outcome.results() != null && unavailable == 0) {
                    notices.accept(pending + " of " + batch.size() + " commands still not decided after " + tried
                            + "; they are in Kafka and counted as not decided");
                    return new BatchAnswer(batch, Arrays.asList(results), attempt);
                }
                String message = "the command service at " + baseUrl + " could not take the commands after " + tried
                        + " (--retry-for " + seconds(retry.retryFor()) + "); the last one failed: " + fault;
                if (!left.get()) {
                    throw CommandServiceException.nothingSent(
                            message, "the command service at " + baseUrl + " could not be reached", outcome.cause());
                }
                throw CommandServiceException.unreachable(message, outcome.cause());
            }
            notices.accept(fault + "; waited " + seconds(elapsed) + " so far, sending " + outstanding.size()
                    + " commands again in " + wait.toMillis() + " ms (attempt " + (attempt + 1)
                    + of(retry.maxAttempts()) + ", resent for up to " + seconds(retry.retryFor()) + ")");
            Thread.sleep(wait.toMillis());
        }
    }

    /** {@code " of N"} when the attempts are counted, else nothing: {@code --retry-for} alone bounds them. */
    private static String of(int maxAttempts) {
        return maxAttempts == Integer.MAX_VALUE ? "" : " of " + maxAttempts;
    }

    /** A duration in seconds with one decimal, e.g. {@code 12.3 s}. */
    private static String seconds(Duration duration) {
        return String.format(Locale.ROOT, "%.1f s", duration.toMillis() / 1000.0);
    }

    /** Why lines of an answered request go again, e.g. {@code 3 of 1000 commands pending}. */
    private static String whyAgain(long unavailable, long pending, int batchSize) {
        List<String> why = new ArrayList<>();
        if (unavailable > 0) {
            why.add(Problem.KAFKA_UNAVAILABLE + " for " + unavailable + " of " + batchSize + " commands");
        }
        if (pending > 0) {
            why.add(pending + " of " + batchSize + " commands pending (not decided within the decision wait)");
        }
        return String.join(", ", why);
    }

    /** Stores the results for the lines sent; answers the lines to send again. */
    private static List<Integer> keepResults(List<Integer> sent, List<LineResult> answered, LineResult[] results) {
        List<Integer> again = new ArrayList<>();
        for (int i = 0; i < sent.size(); i++) {
            LineResult result = answered.get(i);
            results[sent.get(i)] = result;
            if (result.worthSendingAgain()) {
                again.add(sent.get(i));
            }
        }
        return again;
    }

    private Attempt attempt(Batch batch, List<Integer> lines, Runnable leaving)
            throws CommandServiceException, InterruptedException {
        List<PendingCommand> commands =
                lines.stream().map(batch.commands()::get).toList();
        AtomicBoolean connected = new AtomicBoolean();
        HttpRequest.Builder request = HttpRequest.newBuilder(batchUri)
                .timeout(requestTimeout)
                .header("Content-Type", NDJSON)
                .header("Accept", NDJSON)
                .POST(new Leaving(HttpRequest.BodyPublishers.ofByteArray(new Batch(commands).body()), () -> {
                    connected.set(true);
                    leaving.run();
                }));
        token.ifPresent(value -> request.header("Authorization", "Bearer " + value));
        long started = System.nanoTime();
        HttpResponse<byte[]> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            return Attempt.fault(describe(e, connected.get()), Optional.empty(), e);
        }
        int status = response.statusCode();
        log.debug(
                "Batch of {} commands answered {} in {} ms",
                commands.size(),
                status,
                (System.nanoTime() - started) / 1_000_000);
        if (status == 200) {
            return Attempt.answered(parseAnswer(response.body(), commands));
        }
        String summary = "status " + status + bodyExcerpt(response.body());
        if (TRANSIENT_STATUSES.contains(status)) {
            return Attempt.fault(summary, retryAfter(response), null);
        }
        if (status == 401 || status == 403) {
            throw CommandServiceException.refused("the command service at " + baseUrl + " refused the request with "
                    + summary + "; set POLYGLOT_TOKEN to the stack's token");
        }
        throw CommandServiceException.refused(
                "the command service at " + baseUrl + " refused the batch request with " + summary);
    }

    private List<LineResult> parseAnswer(byte[] body, List<PendingCommand> commands) throws CommandServiceException {
        String[] lines = new String(body, StandardCharsets.UTF_8).split("\n");
        List<LineResult> results = new ArrayList<>(commands.size());
        for (String line : lines) {
            if (line.isBlank()) {
                continue;
            }
            if (results.size() == commands.size()) {
                throw protocol("more result lines than the " + commands.size() + " commands sent");
            }
            results.add(parseResult(line, results.size(), commands.get(results.size())));
        }
        if (results.size() != commands.size()) {
            throw protocol(results.size() + " result lines for " + commands.size() + " commands sent");
        }
        return results;
    }

    private LineResult parseResult(String line, int index, PendingCommand command) throws CommandServiceException {
        JsonNode result;
        try {
            result = json.readTree(line);
        } catch (JsonProcessingException e) {
            throw protocol("result line " + (index + 1) + " is not JSON: " + e.getOriginalMessage());
        }
        int number = result.path("line").asInt(index + 1);
        String commandId = result.path("commandId").asText(command.commandId());
        if (number != index + 1 || !commandId.equals(command.commandId())) {
            throw protocol("result line " + (index + 1) + " answers line " + number + ", command " + commandId
                    + ", not command " + command.commandId());
        }
        String status = result.path("status").asText("");
        if ("accepted".equals(status)) {
            return result.path("replayed").asBoolean(false)
                    ? LineResult.acceptedEarlier(command)
                    : LineResult.accepted(command);
        }
        if ("rejected".equals(status)) {
            return LineResult.rejected(command, problem(result.path("problem")));
        }
        if ("pending".equals(status)) {
            return LineResult.pending(command);
        }
        throw protocol("result line " + (index + 1) + " has status '" + status + "'");
    }

    private static Problem problem(JsonNode body) {
        StringBuilder detail =
                new StringBuilder(body.path("detail").asText(body.path("title").asText("")));
        JsonNode firstError = body.path("errors").path(0);
        if (firstError.isObject()) {
            if (detail.length() > 0) {
                detail.append(": ");
            }
            detail.append(firstError.path("pointer").asText("")).append(' ');
            detail.append(firstError.path("message").asText(""));
        }
        return new Problem(
                Problem.shortType(body.path("type").asText(null)),
                detail.toString().strip());
    }

    private CommandServiceException protocol(String what) {
        return CommandServiceException.refused(
                "the command service at " + baseUrl + " gave an answer the importer " + "cannot read: " + what);
    }

    /**
     * What a failed request means to a user, with the exception's own words after it in brackets: the low-level text
     * (a chunked transfer encoding in state READING_DATA, say) tells nothing to someone who only wants to know whether
     * the command service is up.
     */
    private String describe(IOException e, boolean connected) {
        String service = "the command service at " + baseUrl;
        String what;
        if (e instanceof HttpConnectTimeoutException) {
            what = service + " did not accept a connection within " + seconds(connectTimeout);
        } else if (e instanceof HttpTimeoutException) {
            what = service + " did not answer within " + seconds(requestTimeout) + " (--timeout)";
        } else if (e instanceof ConnectException) {
            what = service + " is not listening (connection refused)";
        } else if (connected) {
            what = service + " closed the connection before answering in full, e.g. it stopped";
        } else {
            what = service + " could not be reached";
        }
        return what + " [" + technical(e) + "]";
    }

    /** The exception and its causes, class and message each, e.g. {@code ConnectException: Connection refused}. */
    private static String technical(Throwable e) {
        List<String> chain = new ArrayList<>();
        for (Throwable t = e; t != null && chain.size() < 3; t = t.getCause()) {
            String text = t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
            if (!chain.contains(text)) {
                chain.add(text);
            }
        }
        return String.join(", caused by ", chain);
    }

    private static Optional<Duration> retryAfter(HttpResponse<?> response) {
        Optional<String> header = response.headers().firstValue("Retry-After");
        try {
            return header.map(value -> Duration.ofSeconds(Long.parseLong(value.strip())));
        } catch (NumberFormatException e) {
            // an HTTP date instead of seconds: the backoff alone decides
            return Optional.empty();
        }
    }

    private static String bodyExcerpt(byte[] body) {
        if (body == null || body.length == 0) {
            return "";
        }
        String text = new String(body, StandardCharsets.UTF_8).strip().replaceAll("\\s+", " ");
        return " (" + (text.length() > MAX_BODY_IN_MESSAGE ? text.substring(0, MAX_BODY_IN_MESSAGE) + "..." : text)
                + ")";
    }

    /**
     * A request body that tells when the HTTP client starts to send it, which it does only once it has a connection:
     * the moment the commands leave the machine.
     */
    private record Leaving(HttpRequest.BodyPublisher body, Runnable onLeaving) implements HttpRequest.BodyPublisher {

        @Override
        public long contentLength() {
            return body.contentLength();
        }

        @Override
        public void subscribe(Flow.Subscriber<? super ByteBuffer> subscriber) {
            onLeaving.run();
            body.subscribe(subscriber);
        }
    }

    /** One request's outcome: either the results of its lines, or a transient fault. */
    private record Attempt(List<LineResult> results, String fault, Optional<Duration> retryAfter, Throwable cause) {

        static Attempt answered(List<LineResult> results) {
            return new Attempt(results, null, Optional.empty(), null);
        }

        static Attempt fault(String fault, Optional<Duration> retryAfter, Throwable cause) {
            return new Attempt(null, fault, retryAfter, cause);
        }
    }
}
