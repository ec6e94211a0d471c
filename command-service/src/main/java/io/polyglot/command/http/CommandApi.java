package io.polyglot.command.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.HandlerType;
import io.javalin.http.HttpResponseException;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.polyglot.command.avro.AggregateHead;
import io.polyglot.command.avro.CommandDecision;
import io.polyglot.command.intake.CommandIntake;
import io.polyglot.command.intake.CommandLog;
import io.polyglot.command.intake.CommandPosition;
import io.polyglot.command.intake.DecisionBoard;
import io.polyglot.command.intake.DecisionWaiter;
import io.polyglot.command.intake.EventRefusedException;
import io.polyglot.command.intake.Intake;
import io.polyglot.command.intake.Problem;
import io.polyglot.command.intake.ProblemType;
import io.polyglot.runtime.AccessVerdict;
import io.polyglot.runtime.KafkaUnavailableException;
import io.polyglot.runtime.RequestLineMethod;
import io.polyglot.runtime.TokenAccess;
import jakarta.servlet.DispatcherType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.eclipse.jetty.server.ConnectionLimit;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.servlet.FilterHolder;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The HTTP API of the command service: {@code POST /v1/commands}, {@code POST /v1/commands:batch}, health, metrics
 * and the OpenAPI document. It only moves bytes: {@link CommandIntake} checks what a command means, {@link CommandLog}
 * stores it for the decider and {@link DecisionBoard} tells what the decider made of it. Nothing is answered before
 * the command is acknowledged by Kafka; the decided answer is awaited for at most {@code DECISION_WAIT}.
 */
public final class CommandApi implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(CommandApi.class);
    private static final String JSON = "application/json";
    private static final String NDJSON = "application/x-ndjson";
    /** Marks a read relayed from another instance, which answers it from its own stores and never relays it on. */
    static final String FORWARDED = "Polyglot-Forwarded";

    private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    /** The chunk in which a handler's result is copied to the response; Jetty buffers the response itself. */
    private static final int RESPONSE_COPY_BYTES = 2_048;

    private final HttpSettings settings;
    private final CommandIntake intake;
    private final CommandLog commands;
    private final DecisionBoard decisions;
    private final PrometheusMeterRegistry registry;
    private final BooleanSupplier ready;
    private final Clock clock;
    private final CommandMetrics metrics;
    private final TokenAccess access;
    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient peers =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final byte[] openApi;
    private final RequestBodies bodies;
    private final List<String> routes = new ArrayList<>();
    private final Map<Pattern, Set<String>> methodsByPath = new LinkedHashMap<>();
    private Javalin app;

    /**
     * The limits and timeouts of the HTTP layer.
     *
     * @param idleTimeout how long a connection may move no bytes before it is closed
     * @param bodyTimeout the longest time from a request's headers to the end of its body
     * @param headerTimeout the longest time from a request's first byte to the end of its headers
     * @param maxHeaderBytes the largest request line plus headers; larger ones get 431
     * @param maxConnections the most connections open at once; more wait in the accept queue
     * @param maxThreads the most threads serving requests
     */
    public record HttpSettings(
            String host,
            int port,
            Duration requestTimeout,
            int requestMaxBytes,
            int batchMaxLines,
            int batchMaxBytes,
            Duration idleTimeout,
            Duration bodyTimeout,
            Duration headerTimeout,
            int maxHeaderBytes,
            int maxConnections,
            int maxThreads,
            Duration retryAfter,
            Duration decisionWait) {}

    public CommandApi(
            HttpSettings settings,
            CommandIntake intake,
            CommandLog commands,
            DecisionBoard decisions,
            PrometheusMeterRegistry registry,
            BooleanSupplier ready,
            Clock clock,
            TokenAccess access) {
        this.settings = settings;
        this.intake = intake;
        this.commands = commands;
        this.decisions = decisions;
        this.registry = registry;
        this.ready = ready;
        this.clock = clock;
        this.metrics = new CommandMetrics(registry);
        this.access = access;
        this.openApi = resource("/openapi.json");
        this.bodies = new RequestBodies(clock, settings.bodyTimeout(), settings.idleTimeout());
    }

    /** Binds the server and starts answering. */
    public CommandApi start() {
        app = Javalin.create(config -> {
            config.showJavalinBanner = false;
            config.startupWatcherEnabled = false;
            config.http.prefer405over404 = true;
            // Javalin copies each result into the response through a buffer of this size, allocated per response;
            // unset, it is Jetty's whole output buffer (32 KiB) for answers of a few hundred bytes.
            config.http.responseBufferSize = RESPONSE_COPY_BYTES;
            // Jetty's idle connections wait in its selectors and hold no thread; the pool bounds the requests
            // served at once, the connection limit the sockets held open.
            QueuedThreadPool threads = new QueuedThreadPool(settings.maxThreads(), Math.min(8, settings.maxThreads()));
            threads.setName("command-api");
            config.jetty.threadPool = threads;
            config.jetty.modifyHttpConfiguration(http -> {
                http.setSendServerVersion(false);
                http.setRequestHeaderSize(settings.maxHeaderBytes());
                // Jetty's per-connection header cache matches values without regard to case by default, so a token
                // differing from an earlier request's only in case would be read as that earlier token.
                http.setHeaderCacheCaseSensitive(true);
                http.setIdleTimeout(settings.idleTimeout().toMillis());
                // The body deadline (RequestBodies) bounds a body instead of a minimum rate: a rate check also fires
                // on a small body that arrived whole but was read late under load.
                http.setMinRequestDataRate(0);
                // A request is dispatched at once, so that its body deadline runs even when no body byte arrives.
                http.setDelayDispatchUntilContent(false);
            });
            config.jetty.addConnector((server, http) -> {
                ServerConnector connector = new ServerConnector(
                        server, new ClientErrorConnectionFactory(http, settings.headerTimeout(), json));
                connector.setHost(settings.host());
                connector.setPort(settings.port());
                connector.setIdleTimeout(settings.idleTimeout().toMillis());
                server.addBean(new ConnectionLimit(settings.maxConnections(), connector));
                return connector;
            });
            config.jetty.modifyServer(server -> server.setErrorHandler(new ProblemErrorHandler(json)));
            config.jetty.modifyServletContextHandler(context -> {
                context.setErrorHandler(new ProblemErrorHandler(json));
                context.addFilter(new FilterHolder(new RequestLineMethod()), "/*", EnumSet.of(DispatcherType.REQUEST));
            });
        });
        // Before any route is looked up, so an unknown path or method answers 401 too and nothing is learned.
        app.before(this::requireToken);
        app.before(PathParameters::requireUtf8);
        route(HandlerType.POST, "/v1/commands", this::command);
        route(HandlerType.POST, "/v1/commands:batch", this::batch);
        route(HandlerType.GET, "/v1/commands/{commandId}", this::commandStatus);
        route(HandlerType.GET, "/v1/aggregates/{aggregateType}/{aggregateId}", this::aggregate);
        route(HandlerType.GET, "/health/live", ctx -> ctx.contentType(JSON).result("{\"status\":\"up\"}"));
        route(HandlerType.GET, "/health/ready", this::readiness);
        route(
                HandlerType.GET,
                "/metrics",
                ctx -> ctx.contentType(PROMETHEUS_TEXT).result(registry.scrape()));
        route(HandlerType.GET, "/openapi.json", ctx -> ctx.contentType(JSON).result(openApi));
        app.exception(HttpResponseException.class, (e, ctx) -> {
            ProblemType type = ProblemStatus.typeOf(e.getStatus());
            respond(ctx, Problem.of(type, detailOf(type, ctx)));
        });
        app.exception(TokenRefusedException.class, (e, ctx) -> {
            ctx.header("WWW-Authenticate", e.verdict().challenge());
            respond(ctx, Problem.of(ProblemType.UNAUTHORIZED, e.verdict().detail()));
        });
        app.exception(PathRefusedException.class, (e, ctx) -> respond(ctx, e.problem()));
        app.exception(BodyTooLargeException.class, (e, ctx) -> {
            // The rest of the body is not worth reading: close the connection after the answer.
            ctx.header("Connection", "close");
            respond(ctx, Problem.of(ProblemType.PAYLOAD_TOO_LARGE, e.getMessage()));
        });
        app.exception(BodyUnreadableException.class, (e, ctx) -> {
            log.debug("Request body unreadable (method={}, path={})", ctx.method(), ctx.path(), e);
            ctx.header("Connection", "close");
            respond(ctx, Problem.of(ProblemType.REQUEST_TIMEOUT, e.getMessage()));
        });
        app.exception(BodyMalformedException.class, (e, ctx) -> {
            log.debug("Request body malformed (method={}, path={})", ctx.method(), ctx.path(), e);
            ctx.header("Connection", "close");
            respond(ctx, Problem.of(ProblemType.BAD_REQUEST, e.getMessage()));
        });
        app.exception(UnsupportedMediaType.class, (e, ctx) -> {
            ctx.header("Connection", "close");
            respond(ctx, Problem.of(ProblemType.UNSUPPORTED_MEDIA_TYPE, e.getMessage()));
        });
        app.exception(ContentTypeRepeated.class, (e, ctx) -> {
            ctx.header("Connection", "close");
            respond(ctx, Problem.of(ProblemType.BAD_REQUEST, e.getMessage()));
        });
        app.exception(KafkaUnavailableException.class, (e, ctx) -> {
            log.debug("Kafka unavailable (method={}, path={})", ctx.method(), ctx.path(), e);
            respond(ctx, kafkaUnavailable(e.getMessage()));
        });
        app.exception(Exception.class, (e, ctx) -> {
            log.error("Request failed (method={}, path={})", ctx.method(), ctx.path(), e);
            respond(ctx, Problem.of(ProblemType.INTERNAL_ERROR, "the request failed inside the service"));
        });
        app.error(404, ctx -> respondUnlessProblem(ctx, ProblemType.NOT_FOUND));
        app.error(405, ctx -> {
            String allowed = allowed(ctx.path());
            if (!allowed.isEmpty()) {
                ctx.header("Allow", allowed);
            }
            respondUnlessProblem(ctx, ProblemType.METHOD_NOT_ALLOWED);
        });
        app.start();
        log.info("Command API listening (host={}, port={})", settings.host(), app.port());
        return this;
    }

    private void requireToken(Context ctx) {
        if (access.guards(ctx.path())) {
            AccessVerdict verdict = access.check(Collections.list(ctx.req().getHeaders("Authorization")));
            if (!verdict.allowed()) {
                throw new TokenRefusedException(verdict);
            }
        }
    }

    private void route(HandlerType method, String path, Handler handler) {
        app.addHttpHandler(method, path, handler);
        routes.add(method.name() + " " + path);
        String pattern = Arrays.stream(path.split("/", -1))
                .map(segment -> segment.startsWith("{") ? "[^/]+" : Pattern.quote(segment))
                .collect(Collectors.joining("/"));
        methodsByPath
                .computeIfAbsent(Pattern.compile(pattern + "/?"), key -> new TreeSet<>())
                .add(method.name());
    }

    /** The methods some route answers on {@code path}, for the {@code Allow} header of a 405. */
    private String allowed(String path) {
        Set<String> methods = new TreeSet<>();
        methodsByPath.forEach((pattern, names) -> {
            if (pattern.matcher(path).matches()) {
                methods.addAll(names);
            }
        });
        return String.join(", ", methods);
    }

    /**
     * Every route the server answers, as {@code METHOD /path} with path parameters in braces, the way the OpenAPI
     * document names them; a test holds the document to this list.
     */
    public List<String> routes() {
        return List.copyOf(routes);
    }

    /** The port the server is bound to. */
    public int port() {
        return app.port();
    }

    private void command(Context ctx) throws IOException {
        RequestBodies.requireMediaType(ctx.req(), JSON);
        byte[] body = bodies.read(ctx.req(), settings.requestMaxBytes());
        Intake outcome = intake.read(body);
        if (outcome instanceof Intake.Rejected rejected) {
            metrics.count(rejected.commandType(), CommandMetrics.REJECTED);
            respond(ctx, rejected.problem());
            return;
        }
        Intake.Accepted accepted = (Intake.Accepted) outcome;
        try (MDC.MDCCloseable ignored = MDC.putCloseable("commandId", accepted.id())) {
            Deadline deadline = Deadline.after(clock, settings.requestTimeout());
            DecisionWaiter waiter = decisions.awaitDecision(accepted.id(), accepted.bodyHash());
            CompletableFuture<CommandPosition> ack = commands.append(accepted);
            Problem failure = await(ack, deadline);
            if (failure != null) {
                decisions.stopWaiting(waiter);
                metrics.count(accepted.commandType(), CommandMetrics.FAILED);
                respond(ctx, failure);
                return;
            }
            decisions.appended(waiter, ack.getNow(null));
            if (respondAsync(ctx)) {
                decisions.stopWaiting(waiter);
                answerDecision(ctx, accepted, null);
                return;
            }
            // The decision is awaited without holding a request thread: at 1,000 commands/s, each waiting a
            // commit interval or more, blocked threads were most of the pool and later requests queued for one.
            ctx.future(() -> waiter.decision()
                    .copy()
                    .completeOnTimeout(null, settings.decisionWait().toNanos(), TimeUnit.NANOSECONDS)
                    .handle((decided, error) -> {
                        CommandDecision own = error == null ? decided : null;
                        if (own == null) {
                            decisions.stopWaiting(waiter);
                        }
                        answerDecision(ctx, accepted, own);
                        return null;
                    }));
        }
    }

    /** Answers the decision of an appended command, or {@code 202 pending} when it is null. */
    private void answerDecision(Context ctx, Intake.Accepted accepted, CommandDecision decided) {
        try {
            if (decided == null) {
                metrics.count(accepted.commandType(), CommandMetrics.PENDING);
                pending(ctx, accepted.id());
            } else {
                answer(ctx, accepted.commandType(), decided);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void answer(Context ctx, String commandType, CommandDecision decision) throws IOException {
        Optional<Problem> problem = DecisionAnswers.problemOf(decision);
        if (problem.isPresent()) {
            metrics.count(commandType, CommandMetrics.REJECTED);
            respond(ctx, problem.get());
            return;
        }
        metrics.count(commandType, CommandMetrics.ACCEPTED);
        log.debug("Command accepted (events={})", decision.getEvents().size());
        ctx.status(200).contentType(JSON).result(json.writeValueAsBytes(DecisionAnswers.accepted(json, decision)));
    }

    private void pending(Context ctx, String commandId) throws IOException {
        ObjectNode answer = json.createObjectNode();
        answer.put("commandId", commandId).put("status", "pending");
        ctx.status(202)
                .header("Location", "/v1/commands/" + PathParameters.segment(commandId))
                .contentType(JSON)
                .result(json.writeValueAsBytes(answer));
    }

    private static boolean respondAsync(Context ctx) {
        String prefer = ctx.header("Prefer");
        if (prefer == null) {
            return false;
        }
        for (String preference : prefer.split(",")) {
            if (preference.trim().equalsIgnoreCase("respond-async")) {
                return true;
            }
        }
        return false;
    }

    /** The decision once it arrives within {@code wait}; null when it does not. */
    private static CommandDecision decisionWithin(CompletableFuture<CommandDecision> decision, Duration wait) {
        try {
            return decision.get(wait.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } catch (TimeoutException | ExecutionException | java.util.concurrent.CancellationException e) {
            return null;
        }
    }

    private void commandStatus(Context ctx) throws IOException {
        String commandId = PathParameters.id(ctx, "commandId", "command id");
        Optional<CommandDecision> decision = decisions.decided(commandId);
        if (decision.isPresent()) {
            ObjectNode answer = decisionLine(decision.get());
            ctx.status(200).contentType(JSON).result(json.writeValueAsBytes(answer));
        } else if (decisions.isPending(commandId)) {
            pending(ctx, commandId);
        } else if (!isForwarded(ctx) && askOthers(ctx)) {
            return;
        } else if (!decisions.everyPartitionAssigned()) {
            respond(ctx, kafkaUnavailable("a partition of commands is moving between instances; retry"));
        } else {
            respond(ctx, Problem.of(ProblemType.NOT_FOUND, "no command " + commandId + " is known (or it expired)"));
        }
    }

    /**
     * Asks every other instance for this read and relays the first answer that knows the command (decided or
     * pending). When none knows it but one could not tell (it did not answer, or answered 5xx while its stores
     * moved in a rebalance), the read answers 503 with {@code Retry-After}: a 404 would tell the client that a
     * command that may well be decided is unknown.
     */
    private boolean askOthers(Context ctx) {
        boolean unsure = false;
        for (URI instance : decisions.otherInstances()) {
            Optional<HttpResponse<byte[]>> answer = ask(instance, ctx);
            if (answer.isEmpty() || answer.get().statusCode() >= 500) {
                unsure = true;
            } else if (answer.get().statusCode() != 404) {
                relay(ctx, answer.get());
                return true;
            }
        }
        if (unsure) {
            respond(ctx, kafkaUnavailable("an instance that may decide the command could not answer; retry"));
        }
        return unsure;
    }

    private Optional<HttpResponse<byte[]>> ask(URI instance, Context ctx) {
        HttpRequest.Builder request = HttpRequest.newBuilder(
                        URI.create(instance + ctx.req().getRequestURI()))
                .timeout(settings.requestTimeout())
                .header(FORWARDED, "true");
        // The caller passed this instance's check; the other instance checks the same token again.
        Optional.ofNullable(ctx.header("Authorization")).ifPresent(value -> request.header("Authorization", value));
        HttpRequest forwarded = request.GET().build();
        try {
            return Optional.of(peers.send(forwarded, HttpResponse.BodyHandlers.ofByteArray()));
        } catch (IOException e) {
            log.debug("Another instance did not answer (instance={})", instance, e);
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    private static void relay(Context ctx, HttpResponse<byte[]> answer) {
        ctx.status(answer.statusCode());
        answer.headers().firstValue("Content-Type").ifPresent(ctx::contentType);
        answer.headers().firstValue("Location").ifPresent(location -> ctx.header("Location", location));
        ctx.result(answer.body());
    }

    private static boolean isForwarded(Context ctx) {
        return ctx.header(FORWARDED) != null;
    }

    private ObjectNode decisionLine(CommandDecision decision) {
        Optional<Problem> problem = DecisionAnswers.problemOf(decision);
        if (problem.isEmpty()) {
            return DecisionAnswers.accepted(json, decision);
        }
        ObjectNode answer = json.createObjectNode();
        answer.put("commandId", decision.getCommandId()).put("status", "rejected");
        answer.set("problem", ProblemJson.node(json, problem.get()));
        return answer;
    }

    private void aggregate(Context ctx) throws IOException {
        String aggregateType = PathParameters.aggregateType(ctx, "aggregateType");
        String aggregateId = PathParameters.id(ctx, "aggregateId", "aggregate id");
        Optional<URI> owner = isForwarded(ctx) ? Optional.empty() : decisions.ownerOf(aggregateId);
        if (owner.isPresent()) {
            Optional<HttpResponse<byte[]>> answer = ask(owner.get(), ctx);
            if (answer.isEmpty()) {
                respond(ctx, kafkaUnavailable("the instance that owns the aggregate did not answer; retry"));
            } else {
                relay(ctx, answer.get());
            }
            return;
        }
        Optional<AggregateHead> head = decisions.head(aggregateType, aggregateId);
        if (head.isEmpty()) {
            respond(ctx, Problem.of(ProblemType.NOT_FOUND, "no aggregate " + aggregateType + "/" + aggregateId));
            return;
        }
        ObjectNode answer = json.createObjectNode();
        answer.put("aggregateType", aggregateType)
                .put("aggregateId", aggregateId)
                .put("version", head.get().getVersion())
                .put("lastEventAt", head.get().getLastEventAt().toString());
        ObjectNode state = answer.putObject("state");
        head.get().getState().forEach(state::put);
        ctx.status(200).contentType(JSON).result(json.writeValueAsBytes(answer));
    }

    private void batch(Context ctx) throws IOException {
        RequestBodies.requireMediaType(ctx.req(), NDJSON);
        byte[] body = bodies.read(ctx.req(), settings.batchMaxBytes());
        int lineCount = BatchLines.count(body);
        if (lineCount > settings.batchMaxLines()) {
            respond(
                    ctx,
                    Problem.of(
                            ProblemType.PAYLOAD_TOO_LARGE,
                            "the batch has " + lineCount + " lines; at most " + settings.batchMaxLines()
                                    + " are accepted"));
            return;
        }
        List<BatchLines.Line> lines = BatchLines.split(body);
        List<Intake> outcomes = new ArrayList<>(lines.size());
        for (BatchLines.Line line : lines) {
            outcomes.add(intake.read(line.bytes()));
        }
        List<DecisionWaiter> waits = new ArrayList<>(outcomes.size());
        for (Intake outcome : outcomes) {
            waits.add(
                    outcome instanceof Intake.Accepted accepted
                            ? decisions.awaitDecision(accepted.id(), accepted.bodyHash())
                            : null);
        }
        List<CompletableFuture<CommandPosition>> acks =
                OrderedSends.send(commands, outcomes, Deadline.after(clock, settings.requestTimeout()));
        // With respond-async the batch answers once Kafka has every line: a line not decided by then is pending.
        awaitDecisions(acks, waits, respondAsync(ctx) ? Duration.ZERO : settings.decisionWait());

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < lines.size(); i++) {
            ObjectNode result = lineResult(lines.get(i).number(), outcomes.get(i), acks.get(i), waits.get(i));
            json.writeValue(out, result);
            out.write('\n');
        }
        ctx.status(200).contentType(NDJSON).result(out.toByteArray());
    }

    /** Waits, all together and at most {@code DECISION_WAIT}, for the decisions of the lines Kafka took. */
    private void awaitDecisions(
            List<CompletableFuture<CommandPosition>> acks, List<DecisionWaiter> waits, Duration wait) {
        List<DecisionWaiter> appended = new ArrayList<>();
        for (int i = 0; i < acks.size(); i++) {
            CompletableFuture<CommandPosition> ack = acks.get(i);
            if (ack == null) {
                continue;
            }
            if (ack.isDone() && !ack.isCompletedExceptionally()) {
                decisions.appended(waits.get(i), ack.getNow(null));
                appended.add(waits.get(i));
            } else {
                decisions.stopWaiting(waits.get(i));
            }
        }
        decisionWithin(
                CompletableFuture.allOf(
                                appended.stream().map(DecisionWaiter::decision).toArray(CompletableFuture<?>[]::new))
                        .thenApply(done -> (CommandDecision) null),
                wait);
        for (DecisionWaiter waiter : appended) {
            if (!waiter.decision().isDone()) {
                // Answered pending: nobody reads its decision any more.
                decisions.stopWaiting(waiter);
            }
        }
    }

    private ObjectNode lineResult(
            int number, Intake outcome, CompletableFuture<CommandPosition> ack, DecisionWaiter waiter) {
        ObjectNode result = json.createObjectNode();
        result.put("line", number);
        if (outcome instanceof Intake.Rejected rejected) {
            metrics.count(rejected.commandType(), CommandMetrics.REJECTED);
            result.put("status", "rejected");
            result.put("commandId", rejected.commandId().orElse(null));
            result.set("problem", ProblemJson.node(json, rejected.problem()));
            return result;
        }
        Intake.Accepted accepted = (Intake.Accepted) outcome;
        Problem failure = ack.isDone() && !ack.isCompletedExceptionally() ? null : failureOf(ack);
        if (failure != null) {
            metrics.count(accepted.commandType(), CommandMetrics.FAILED);
            result.put("status", "rejected").put("commandId", accepted.id());
            result.set("problem", ProblemJson.node(json, failure));
            return result;
        }
        CompletableFuture<CommandDecision> wait = waiter.decision();
        CommandDecision decision = wait.isDone() && !wait.isCompletedExceptionally() ? wait.getNow(null) : null;
        if (decision == null) {
            metrics.count(accepted.commandType(), CommandMetrics.PENDING);
            return result.put("status", "pending").put("commandId", accepted.id());
        }
        Optional<Problem> problem = DecisionAnswers.problemOf(decision);
        if (problem.isPresent()) {
            metrics.count(accepted.commandType(), CommandMetrics.REJECTED);
            result.put("status", "rejected").put("commandId", accepted.id());
            if (decision.getReplayed()) {
                result.put("replayed", true);
            }
            result.set("problem", ProblemJson.node(json, problem.get()));
            return result;
        }
        metrics.count(accepted.commandType(), CommandMetrics.ACCEPTED);
        result.put("status", "accepted").put("commandId", accepted.id());
        DecisionAnswers.outcomeOf(result, decision);
        return result;
    }

    /** Waits for the acknowledgement until the deadline; the problem to answer with, or null once acknowledged. */
    private Problem await(CompletableFuture<?> ack, Deadline deadline) {
        try {
            ack.get(deadline.remaining().toNanos(), TimeUnit.NANOSECONDS);
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return kafkaUnavailable("interrupted while waiting for Kafka");
        } catch (TimeoutException | ExecutionException e) {
            return failureOf(ack);
        }
    }

    private Problem failureOf(CompletableFuture<?> ack) {
        if (!ack.isDone()) {
            return kafkaUnavailable("Kafka did not acknowledge the events within " + settings.requestTimeout());
        }
        Throwable cause;
        try {
            ack.getNow(null);
            return null;
        } catch (RuntimeException e) {
            cause = e.getCause() == null ? e : e.getCause();
        }
        if (cause instanceof EventRefusedException) {
            log.error("Kafka refused events", cause);
            return Problem.of(ProblemType.INTERNAL_ERROR, "the events could not be stored");
        }
        log.debug("Kafka did not take events", cause);
        return kafkaUnavailable("Kafka is unavailable; nothing was accepted");
    }

    private Problem kafkaUnavailable(String detail) {
        return Problem.of(ProblemType.KAFKA_UNAVAILABLE, detail);
    }

    private void readiness(Context ctx) {
        boolean isReady;
        try {
            isReady = ready.getAsBoolean();
        } catch (RuntimeException e) {
            log.warn("Readiness check failed", e);
            isReady = false;
        }
        ctx.status(isReady ? 200 : 503)
                .contentType(JSON)
                .result(isReady ? "{\"status\":\"ready\"}" : "{\"status\":\"not ready\"}");
    }

    private void respond(Context ctx, Problem problem) {
        if (problem.type() == ProblemType.KAFKA_UNAVAILABLE) {
            ctx.header(
                    "Retry-After",
                    Long.toString(Math.max(1, settings.retryAfter().toSeconds())));
        }
        try {
            ctx.status(problem.status())
                    .contentType(ProblemJson.MEDIA_TYPE)
                    .result(json.writeValueAsBytes(ProblemJson.node(json, problem)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void respondUnlessProblem(Context ctx, ProblemType type) {
        String contentType = ctx.res().getContentType();
        if (contentType == null || !contentType.startsWith(ProblemJson.MEDIA_TYPE)) {
            respond(ctx, Problem.of(type, detailOf(type, ctx)));
        }
    }

    private static String detailOf(ProblemType type, Context ctx) {
        return switch (type) {
            case NOT_FOUND -> "no resource at " + ctx.path();
            case METHOD_NOT_ALLOWED -> ctx.method() + " is not allowed on " + ctx.path();
            default -> type.title();
        };
    }

    private static byte[] resource(String name) {
        try (InputStream in = CommandApi.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException(name + " is missing from the class path");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        if (app != null) {
            app.stop();
        }
    }
}
