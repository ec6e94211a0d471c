package io.polyglot.importer.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * A real HTTP server on a random loopback port that answers {@code POST /v1/commands:batch} the way the command
 * service does (200 with one NDJSON result per line, or a whole-request problem), and records every request.
 *
 * <p>It stands in for the command service because the tests need it to fail on purpose (reject chosen lines, answer
 * 503 first, leave chosen lines pending as if the decider were slow, answer garbage) and to watch which cases are in
 * flight at once, none of which a real command service does on demand.
 */
public final class StandInCommandService implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The verdict that answers a line {@code pending} in {@link #results}. */
    public static final String PENDING = "pending";

    /** What a rejection function returns for a line to be answered as an earlier decision again. */
    public static final String REPLAYED = "replayed";

    private final HttpServer server;
    private final ExecutorService threads = Executors.newFixedThreadPool(8);
    private final Responder responder;
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final Set<String> casesInFlight = Collections.synchronizedSet(new HashSet<>());
    private final AtomicInteger received = new AtomicInteger();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger mostInFlight = new AtomicInteger();
    private final List<String> overlappingCases = new CopyOnWriteArrayList<>();

    private StandInCommandService(int port, Responder responder) throws IOException {
        this.responder = responder;
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
        server.createContext("/", this::handle);
        server.setExecutor(threads);
        server.start();
    }

    /** Starts a stand-in that answers with {@code responder}. */
    public static StandInCommandService start(Responder responder) throws IOException {
        return new StandInCommandService(0, responder);
    }

    /** Starts a stand-in on {@code port} of the loopback address, as a command service coming back after a restart. */
    public static StandInCommandService start(int port, Responder responder) throws IOException {
        return new StandInCommandService(port, responder);
    }

    /** The base URL, e.g. {@code http://127.0.0.1:41234}. */
    public URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** Every request answered, in arrival order. */
    public List<Request> requests() {
        List<Request> sorted = new ArrayList<>(requests);
        sorted.sort(java.util.Comparator.comparingInt(Request::number));
        return sorted;
    }

    /** Every command line answered with a 200, in the order received. */
    public List<JsonNode> answeredLines() {
        List<JsonNode> lines = new ArrayList<>();
        requests().stream()
                .filter(request -> request.status() == 200)
                .forEach(request -> lines.addAll(request.lines()));
        return lines;
    }

    /** The most requests that were being answered at the same time. */
    public int mostInFlight() {
        return mostInFlight.get();
    }

    /** Cases that arrived while another request holding them was still being answered; empty when order was kept. */
    public List<String> overlappingCases() {
        return List.copyOf(overlappingCases);
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body = exchange.getRequestBody().readAllBytes();
            List<JsonNode> lines = parseLines(body);
            Set<String> cases = new HashSet<>();
            lines.forEach(line -> cases.add(line.path("aggregateId").asText()));
            int number = received.incrementAndGet();
            enter(cases);
            Answer answer;
            try {
                answer = responder.answer(number, lines);
            } finally {
                // before the answer is written: once the client has it, it may rightly send the case again
                leave(cases);
            }
            requests.add(new Request(
                    number,
                    exchange.getRequestMethod(),
                    exchange.getRequestURI().getPath(),
                    exchange.getRequestHeaders().getFirst("Content-Type"),
                    exchange.getRequestHeaders().getFirst("Authorization"),
                    lines,
                    answer.status()));
            send(exchange, answer);
        }
    }

    private void enter(Set<String> cases) {
        synchronized (casesInFlight) {
            for (String caseId : cases) {
                if (!casesInFlight.add(caseId)) {
                    overlappingCases.add(caseId);
                }
            }
        }
        mostInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
    }

    private void leave(Set<String> cases) {
        inFlight.decrementAndGet();
        casesInFlight.removeAll(cases);
    }

    private static List<JsonNode> parseLines(byte[] body) {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : new String(body, StandardCharsets.UTF_8).split("\n")) {
            if (!line.isBlank()) {
                try {
                    lines.add(JSON.readTree(line));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        return lines;
    }

    private static void send(HttpExchange exchange, Answer answer) throws IOException {
        byte[] bytes = answer.body().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", answer.contentType());
        answer.retryAfterSeconds()
                .ifPresent(seconds -> exchange.getResponseHeaders().add("Retry-After", Integer.toString(seconds)));
        exchange.sendResponseHeaders(answer.status(), bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            exchange.getResponseBody().write(bytes);
        }
    }

    /**
     * The NDJSON results for {@code lines}: each accepted, except those {@code rejection} answers {@link #PENDING} for
     * (pending) or gives a problem type for (rejected).
     */
    public static String results(List<JsonNode> lines, Function<JsonNode, String> rejection) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < lines.size(); i++) {
            JsonNode line = lines.get(i);
            ObjectNode result = JSON.createObjectNode();
            result.put("line", i + 1);
            result.put("commandId", line.path("commandId").asText());
            String problemType = rejection.apply(line);
            if (problemType == null || REPLAYED.equals(problemType)) {
                result.put("status", "accepted");
                if (REPLAYED.equals(problemType)) {
                    result.put("replayed", true);
                }
                result.putArray("events").addObject().put("eventId", "e-" + i);
            } else if (PENDING.equals(problemType)) {
                result.put("status", "pending");
            } else {
                result.put("status", "rejected");
                ObjectNode problem = result.putObject("problem");
                problem.put("type", "urn:polyglot:problem:" + problemType);
                problem.put("title", "Rejected");
                problem.put("status", 400);
                problem.put("detail", "the stand-in rejects this line");
                problem.putArray("errors")
                        .addObject()
                        .put("pointer", "/payload/activity")
                        .put("message", "refused");
            }
            out.append(result).append('\n');
        }
        return out.toString();
    }

    /**
     * One request as received.
     *
     * @param number the order of arrival, 1-based
     * @param method the HTTP method
     * @param path the request path
     * @param contentType the Content-Type header
     * @param authorization the Authorization header, or null
     * @param lines the NDJSON lines, parsed
     * @param status the status answered
     */
    public record Request(
            int number,
            String method,
            String path,
            String contentType,
            String authorization,
            List<JsonNode> lines,
            int status) {}

    /**
     * An answer to send.
     *
     * @param status the HTTP status
     * @param contentType the Content-Type
     * @param body the body
     * @param retryAfterSeconds a Retry-After header, if any
     */
    public record Answer(int status, String contentType, String body, Optional<Integer> retryAfterSeconds) {

        /** A 200 with NDJSON results. */
        public static Answer results(String ndjson) {
            return new Answer(200, "application/x-ndjson", ndjson, Optional.empty());
        }

        /** A whole-request problem, as the command service sends it. */
        public static Answer problem(int status, String type, Optional<Integer> retryAfterSeconds) {
            String body = "{\"type\":\"urn:polyglot:problem:" + type + "\",\"title\":\"" + type + "\",\"status\":"
                    + status + ",\"detail\":\"the stand-in answers " + status + "\"}";
            return new Answer(status, "application/problem+json", body, retryAfterSeconds);
        }
    }

    /** Decides the answer to the {@code number}th request (1-based). */
    @FunctionalInterface
    public interface Responder {

        /** Answers a request. */
        Answer answer(int number, List<JsonNode> lines);

        /** Accepts every line. */
        static Responder acceptAll() {
            return (number, lines) -> Answer.results(results(lines, line -> null));
        }

        /** Rejects the lines {@code rejection} names a problem type for, accepts the others. */
        /**
         * Accepts every line, the way the decider decides each command id once: a command id it has seen before is
         * answered as the earlier decision again ({@code "replayed": true}).
         */
        static Responder decidingOnce() {
            Set<String> decided = ConcurrentHashMap.newKeySet();
            return (number, lines) -> Answer.results(
                    results(lines, line -> decided.add(line.path("commandId").asText()) ? null : REPLAYED));
        }

        static Responder rejecting(Function<JsonNode, String> rejection) {
            return (number, lines) -> Answer.results(results(lines, rejection));
        }

        /**
         * Answers the lines {@code pending} picks {@code pending} the first {@code times} times each command id
         * arrives, as a decider too slow for the decision wait would, then as {@code rejection} says.
         */
        static Responder pendingAtFirst(Predicate<JsonNode> pending, int times, Function<JsonNode, String> rejection) {
            Map<String, Integer> arrivals = new ConcurrentHashMap<>();
            return (number, lines) -> Answer.results(results(lines, line -> {
                int arrival = arrivals.merge(line.path("commandId").asText(), 1, Integer::sum);
                return pending.test(line) && arrival <= times ? PENDING : rejection.apply(line);
            }));
        }

        /** Answers the first {@code failures} requests with {@code 503 kafka-unavailable}, then as {@code then}. */
        static Responder unavailableFirst(int failures, Responder then) {
            return (number, lines) -> number <= failures
                    ? Answer.problem(503, "kafka-unavailable", Optional.of(0))
                    : then.answer(number, lines);
        }

        /**
         * Holds the first {@code requests} requests until that many are being answered at once (or {@code patience}
         * ran out), so that a client able to keep several in flight is seen doing so.
         */
        static Responder holdingUntilConcurrent(int requests, Duration patience, Responder then) {
            CountDownLatch arrived = new CountDownLatch(requests);
            return (number, lines) -> {
                arrived.countDown();
                try {
                    arrived.await(patience.toMillis(), TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return then.answer(number, lines);
            };
        }
    }
}
