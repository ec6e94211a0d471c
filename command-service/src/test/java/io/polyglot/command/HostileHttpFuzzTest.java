package io.polyglot.command;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.polyglot.command.HostileRequests.Client;
import io.polyglot.command.HostileRequests.Expect;
import io.polyglot.command.HostileRequests.HostileRequest;
import io.polyglot.command.HostileRequests.Kind;
import io.polyglot.command.HostileRequests.Pace;
import io.polyglot.command.HostileRequests.Raw;
import io.polyglot.command.RawHttp.Answer;
import io.polyglot.command.intake.ProblemType;
import io.polyglot.schemas.Topics;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fuzz run of the command API: thousands of hostile requests from {@link HostileRequests}, with a fixed seed,
 * against the real service on a real broker, which requires a bearer token. Every request carries the token, so its
 * hostile part reaches the parsers behind the token check, but for a share that probes the check itself (no token, a
 * wrong one, a garbled {@code Authorization}), which must get 401 with a {@code Bearer} challenge. Every answer must be
 * a 4xx problem of a known type (a batch of broken lines: 200 with every line refused), a slow or unfinished body and
 * trickled headers must be cut within their deadline, the service must stay ready between rounds, and nothing may reach
 * {@code commands}, {@code events.all} or {@code commands.decisions}. The seed can be changed with system property
 * {@code polyglot.fuzz.seed}.
 */
class HostileHttpFuzzTest {

    private static final Logger log = LoggerFactory.getLogger(HostileHttpFuzzTest.class);

    private static final long SEED = Long.getLong("polyglot.fuzz.seed", 20_261_204L);
    private static final int ROUNDS = 10;
    private static final int FAST_PER_ROUND = 540;
    private static final int UNFINISHED_PER_ROUND = 4;
    private static final int TRICKLING_PER_ROUND = 2;
    private static final int TRICKLING_HEADERS_PER_ROUND = 2;
    private static final int CLIENTS = 4;

    private static final Duration BODY_TIMEOUT = Duration.ofSeconds(2);
    private static final Duration HEADER_TIMEOUT = Duration.ofSeconds(2);
    private static final Duration IDLE_TIMEOUT = Duration.ofSeconds(10);
    /** How much later than its deadline a slow body may be cut: scheduling on a busy machine. */
    private static final Duration CUT_MARGIN = Duration.ofSeconds(3);

    private static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(15);
    private static final Duration TRICKLE_TICK = Duration.ofMillis(100);

    /** The service's token: every generated request carries it but those that probe the token check itself. */
    private static final String TOKEN = "fuzz-run-token-" + Long.toHexString(SEED) + "-0123456789abcdef";

    private static final HostileRequests.Limits LIMITS = new HostileRequests.Limits(4_096, 65_536, 262_144, 50, 16_384);
    private static final Set<String> KNOWN_TYPES =
            Arrays.stream(ProblemType.values()).map(ProblemType::uri).collect(Collectors.toSet());

    @TempDir
    static Path dataDir;

    static RunningCommandService running;
    static HttpClient http;
    static ScheduledExecutorService ticks;

    @BeforeAll
    static void start() {
        running = RunningCommandService.start(
                dataDir,
                Map.of(
                        "POLYGLOT_TOKEN", TOKEN,
                        "HTTP_BODY_TIMEOUT", BODY_TIMEOUT.toMillis() + "ms",
                        "HTTP_HEADER_TIMEOUT", HEADER_TIMEOUT.toMillis() + "ms",
                        "HTTP_IDLE_TIMEOUT", IDLE_TIMEOUT.toMillis() + "ms",
                        "COMMAND_MAX_BYTES", Integer.toString(LIMITS.commandMaxBytes()),
                        "REQUEST_MAX_BYTES", Integer.toString(LIMITS.requestMaxBytes()),
                        "BATCH_MAX_BYTES", Integer.toString(LIMITS.batchMaxBytes()),
                        "BATCH_MAX_LINES", Integer.toString(LIMITS.batchMaxLines()),
                        "HTTP_MAX_HEADER_BYTES", Integer.toString(LIMITS.headerMaxBytes())));
        http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
        ticks = Executors.newScheduledThreadPool(2);
    }

    @AfterAll
    static void stop() {
        ticks.shutdownNow();
        running.close();
    }

    @Test
    void refusesEveryHostileRequestWithAProblemWithinItsTimeoutAndStoresNothing() throws Exception {
        // given
        HostileRequests generator = new HostileRequests(SEED, LIMITS, TOKEN);
        List<Kind> fastKinds =
                Arrays.stream(Kind.values()).filter(kind -> !kind.isSlow()).toList();
        Map<Kind, Map<String, AtomicInteger>> tried = new EnumMap<>(Kind.class);
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
        ExecutorService slowClients =
                Executors.newFixedThreadPool(UNFINISHED_PER_ROUND + TRICKLING_PER_ROUND + TRICKLING_HEADERS_PER_ROUND);
        int sent = 0;
        long started = System.nanoTime();

        // when
        try {
            for (int round = 0; round < ROUNDS; round++) {
                List<HostileRequest> slow = new ArrayList<>();
                for (int i = 0; i < UNFINISHED_PER_ROUND; i++) {
                    slow.add(generator.next(Kind.UNFINISHED_BODY));
                }
                for (int i = 0; i < TRICKLING_PER_ROUND; i++) {
                    slow.add(generator.next(Kind.TRICKLING_BODY));
                }
                for (int i = 0; i < TRICKLING_HEADERS_PER_ROUND; i++) {
                    slow.add(generator.next(Kind.TRICKLING_HEADERS));
                }
                List<HostileRequest> fast = new ArrayList<>();
                for (int i = 0; i < FAST_PER_ROUND; i++) {
                    fast.add(generator.nextOf(fastKinds));
                }
                List<Future<?>> inFlight = new ArrayList<>();
                for (HostileRequest request : slow) {
                    inFlight.add(slowClients.submit(() -> tryOne(request, tried, failures)));
                }
                for (HostileRequest request : fast) {
                    inFlight.add(clients.submit(() -> tryOne(request, tried, failures)));
                }
                for (Future<?> each : inFlight) {
                    each.get(5, TimeUnit.MINUTES);
                }
                sent += slow.size() + fast.size();
                assertReady(round);
            }
        } finally {
            clients.shutdownNow();
            slowClients.shutdownNow();
        }
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        log.info(
                "Fuzz run (seed={}): {} requests in {} ms; per kind and outcome: {}",
                SEED,
                sent,
                took.toMillis(),
                tried);

        failures.stream().limit(300).forEach(failure -> log.warn("Fuzz failure: {}", failure));

        // then
        assertThat(sent).isGreaterThanOrEqualTo(5_000);
        assertThat(failures.stream().limit(30).toList())
                .as("seed %d: %d of %d requests were answered wrongly; the first ones", SEED, failures.size(), sent)
                .isEmpty();
        assertThat(tried.keySet()).containsExactlyInAnyOrder(Kind.values());
        for (String topic : List.of(Topics.COMMANDS, Topics.EVENTS_ALL, Topics.COMMANDS_DECISIONS)) {
            assertThat(running.committedCount(topic))
                    .as("records on %s (seed %d)", topic, SEED)
                    .isZero();
        }
    }

    private void tryOne(
            HostileRequest request,
            Map<Kind, Map<String, AtomicInteger>> tried,
            ConcurrentLinkedQueue<String> failures) {
        String outcome;
        try {
            boolean withToken = !request.kind().bringsItsOwnAuthorization();
            Outcome result = request.send() instanceof Client client
                    ? send(client, withToken)
                    : send((Raw) request.send(), withToken);
            Optional<String> problem = problemWith(request, result);
            outcome = result.answer()
                    .map(answer -> Integer.toString(answer.status()))
                    .orElse("cut");
            problem.ifPresent(text -> failures.add(failure(request, text)));
        } catch (IOException | RuntimeException e) {
            outcome = "error";
            failures.add(failure(request, "the exchange failed: " + e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        synchronized (tried) {
            tried.computeIfAbsent(request.kind(), kind -> new TreeMap<>())
                    .computeIfAbsent(outcome, key -> new AtomicInteger())
                    .incrementAndGet();
        }
    }

    private static String failure(HostileRequest request, String what) {
        return "seed " + SEED + ", request #" + request.index() + " " + request.kind() + " (" + request.description()
                + "): " + what;
    }

    /** What came back: an answer, or none because the server closed the connection; and after how long. */
    record Outcome(Optional<Answer> answer, Duration elapsed) {}

    private Outcome send(Client client, boolean withToken) throws IOException, InterruptedException {
        HttpRequest.Builder builder = HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + running.service.port() + client.path()))
                .timeout(ANSWER_TIMEOUT)
                .method(client.method(), HttpRequest.BodyPublishers.ofByteArray(client.body()));
        client.headers().forEach(builder::header);
        if (withToken) {
            builder.header("Authorization", "Bearer " + TOKEN);
        }
        long started = System.nanoTime();
        HttpResponse<byte[]> response = http.send(builder.build(), HttpResponse.BodyHandlers.ofByteArray());
        List<String> headers = new ArrayList<>();
        response.headers().map().forEach((name, values) -> values.forEach(value -> headers.add(name + ": " + value)));
        return new Outcome(
                Optional.of(new Answer(response.statusCode(), headers, response.body())),
                Duration.ofNanos(System.nanoTime() - started));
    }

    private Outcome send(Raw raw, boolean withToken) throws IOException {
        int readTimeout =
                (int) (raw.pace() == Pace.WHOLE ? ANSWER_TIMEOUT : BODY_TIMEOUT.plus(IDLE_TIMEOUT)).toMillis();
        byte[] head = withToken ? withToken(raw.head()) : raw.head();
        try (Socket socket = RawHttp.connect(running.service.port(), readTimeout)) {
            OutputStream out = socket.getOutputStream();
            long started = System.nanoTime();
            ScheduledFuture<?> trickle = null;
            try {
                if (raw.pace() == Pace.TRICKLE_HEAD) {
                    trickle = trickle(out, head);
                } else if (raw.pace() == Pace.TRICKLE) {
                    out.write(head);
                    trickle = trickle(out, raw.body());
                } else {
                    out.write(head);
                    out.write(raw.body());
                }
                out.flush();
            } catch (IOException e) {
                // The server may answer and close before it has read all that was sent (headers too large).
                log.debug("Writing a hostile request stopped early", e);
            }
            try {
                InputStream in = socket.getInputStream();
                return new Outcome(RawHttp.readAnswer(in), Duration.ofNanos(System.nanoTime() - started));
            } catch (SocketTimeoutException e) {
                throw e;
            } catch (IOException e) {
                // A reset connection: cut by the server.
                log.debug("Connection cut", e);
                return new Outcome(Optional.empty(), Duration.ofNanos(System.nanoTime() - started));
            } finally {
                if (trickle != null) {
                    trickle.cancel(false);
                }
            }
        }
    }

    /**
     * {@code head} with the service's token in an {@code Authorization} header after its first line (the first line
     * feed), so that what follows still reaches the parsers; a head without a line feed is sent as it is.
     */
    private static byte[] withToken(byte[] head) {
        int lineEnd = -1;
        for (int i = 0; i < head.length && lineEnd < 0; i++) {
            if (head[i] == '\n') {
                lineEnd = i;
            }
        }
        if (lineEnd < 0) {
            return head;
        }
        byte[] header = HostileRequests.ascii("Authorization: Bearer " + TOKEN + "\r\n");
        byte[] with = new byte[head.length + header.length];
        System.arraycopy(head, 0, with, 0, lineEnd + 1);
        System.arraycopy(header, 0, with, lineEnd + 1, header.length);
        System.arraycopy(head, lineEnd + 1, with, lineEnd + 1 + header.length, head.length - lineEnd - 1);
        return with;
    }

    /** Sends {@code body} one byte per tick, until it is all sent or the connection breaks. */
    private static ScheduledFuture<?> trickle(OutputStream out, byte[] body) {
        AtomicInteger next = new AtomicInteger();
        return ticks.scheduleAtFixedRate(
                () -> {
                    int at = next.getAndIncrement();
                    if (at >= body.length) {
                        throw new IllegalStateException("the whole body was sent");
                    }
                    try {
                        out.write(body[at]);
                        out.flush();
                    } catch (IOException e) {
                        throw new IllegalStateException("the server closed the connection", e);
                    }
                },
                0,
                TRICKLE_TICK.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    /** Why the outcome breaks the contract, or empty when it keeps it. */
    private static Optional<String> problemWith(HostileRequest request, Outcome outcome) {
        Expect expect = request.expect();
        if (request.kind().isSlow()) {
            Duration limit =
                    (request.kind() == Kind.TRICKLING_HEADERS ? HEADER_TIMEOUT : BODY_TIMEOUT).plus(CUT_MARGIN);
            if (outcome.elapsed().compareTo(limit) > 0) {
                return Optional.of("cut only after " + outcome.elapsed().toMillis() + " ms, later than " + limit);
            }
        }
        if (outcome.answer().isEmpty()) {
            return expect.mayBeCut() ? Optional.empty() : Optional.of("the connection closed without an answer");
        }
        Answer answer = outcome.answer().get();
        if (!expect.statuses().contains(answer.status())) {
            return Optional.of("status " + answer.status() + ", expected one of " + expect.statuses() + ": "
                    + HostileRequests.shortened(answer.bodyText()));
        }
        if (answer.status() == 200) {
            return batchProblem(expect, answer);
        }
        String contentType = answer.header("Content-Type").orElse("");
        if (!contentType.startsWith("application/problem+json")) {
            return Optional.of("Content-Type '" + contentType + "': " + HostileRequests.shortened(answer.bodyText()));
        }
        JsonNode problem;
        try {
            problem = RunningCommandService.JSON.readTree(answer.body());
        } catch (IOException e) {
            return Optional.of("the problem is not JSON: " + HostileRequests.shortened(answer.bodyText()));
        }
        String type = problem.path("type").asText();
        if (!KNOWN_TYPES.contains(type)
                || (!expect.types().isEmpty() && !expect.types().contains(type.substring(type.lastIndexOf(':') + 1)))) {
            return Optional.of("problem type '" + type + "', expected one of " + expect.types() + ": " + problem);
        }
        if (problem.path("status").asInt() != answer.status()) {
            return Optional.of("the problem says status " + problem.path("status") + " on a " + answer.status());
        }
        if (answer.status() == 401
                && !answer.header("WWW-Authenticate").orElse("").startsWith("Bearer")) {
            return Optional.of("401 without a Bearer challenge: " + answer.headerLines());
        }
        if (answer.status() == 405
                && answer.header("Allow").map(String::isBlank).orElse(true)) {
            return Optional.of("405 without an Allow header: " + answer.headerLines());
        }
        if (expect.pointer().isPresent()) {
            String pointer = expect.pointer().get();
            boolean named = Stream.iterate(0, i -> i < problem.path("errors").size(), i -> i + 1)
                    .anyMatch(i -> problem.path("errors")
                            .get(i)
                            .path("pointer")
                            .asText()
                            .equals(pointer));
            if (!named) {
                return Optional.of("the problem does not name " + pointer + ": " + problem);
            }
        }
        return Optional.empty();
    }

    private static Optional<String> batchProblem(Expect expect, Answer answer) {
        String[] lines = answer.bodyText().split("\n");
        List<String> results =
                Arrays.stream(lines).filter(line -> !line.isBlank()).toList();
        if (results.size() != expect.batchLines()) {
            return Optional.of(results.size() + " results for " + expect.batchLines() + " lines");
        }
        for (String line : results) {
            JsonNode result;
            try {
                result = RunningCommandService.JSON.readTree(line);
            } catch (IOException e) {
                return Optional.of("a result line is not JSON: " + line);
            }
            if (!result.path("status").asText().equals("rejected")
                    || !KNOWN_TYPES.contains(result.path("problem").path("type").asText())) {
                return Optional.of("a broken line was not refused with a known problem: " + line);
            }
        }
        return Optional.empty();
    }

    private void assertReady(int round) {
        HttpResponse<String> ready = running.get("/health/ready");
        assertThat(ready.statusCode())
                .as("readiness after round %d (seed %d)", round, SEED)
                .isEqualTo(200);
    }

    @Test
    void answersANormalRequestWhileTwoHundredIdleSocketsAreOpen() throws IOException {
        // given: 200 connections that never send a byte
        List<Socket> idle = new ArrayList<>();
        try {
            for (int i = 0; i < 200; i++) {
                idle.add(RawHttp.connect(running.service.port(), 1_000));
            }

            // when
            long started = System.nanoTime();
            HttpResponse<String> answer = running.get("/health/live");

            // then
            assertThat(answer.statusCode()).isEqualTo(200);
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
        } finally {
            for (Socket socket : idle) {
                socket.close();
            }
        }
    }

    @Test
    void closesAConnectionThatSendsNothingAfterTheIdleTimeout() throws IOException {
        // given
        try (Socket socket = RawHttp.connect(
                running.service.port(), (int) IDLE_TIMEOUT.plus(CUT_MARGIN).toMillis())) {
            long started = System.nanoTime();

            // when
            int read = socket.getInputStream().read();

            // then
            assertThat(read).isEqualTo(-1);
            assertThat(Duration.ofNanos(System.nanoTime() - started))
                    .isBetween(IDLE_TIMEOUT.minusSeconds(1), IDLE_TIMEOUT.plus(CUT_MARGIN));
        }
    }
}
