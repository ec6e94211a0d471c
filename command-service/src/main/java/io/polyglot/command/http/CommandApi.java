package io.polyglot.command.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.polyglot.command.intake.CommandIntake;
import io.polyglot.command.intake.EventRefusedException;
import io.polyglot.command.intake.EventSink;
import io.polyglot.command.intake.Intake;
import io.polyglot.command.intake.Problem;
import io.polyglot.command.intake.ProblemType;
import io.polyglot.runtime.KafkaUnavailableException;
import io.polyglot.schemas.avro.EventEnvelope;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.ServerConnector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The HTTP API of the command service: {@code POST /v1/commands}, {@code POST /v1/commands:batch}, health, metrics
 * and the OpenAPI document. It only moves bytes: {@link CommandIntake} decides what a command means and
 * {@link EventSink} stores the events; an answer goes out only once the events are acknowledged.
 */
public final class CommandApi implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(CommandApi.class);
    private static final String JSON = "application/json";
    private static final String NDJSON = "application/x-ndjson";
    private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private final HttpSettings settings;
    private final CommandIntake intake;
    private final EventSink sink;
    private final PrometheusMeterRegistry registry;
    private final BooleanSupplier ready;
    private final Clock clock;
    private final CommandMetrics metrics;
    private final ObjectMapper json = new ObjectMapper();
    private final byte[] openApi;
    private Javalin app;

    /** The limits and timeouts of the HTTP layer. */
    public record HttpSettings(
            String host,
            int port,
            Duration requestTimeout,
            int requestMaxBytes,
            int batchMaxLines,
            int batchMaxBytes,
            Duration idleTimeout,
            int minBodyRate,
            Duration retryAfter) {}

    public CommandApi(
            HttpSettings settings,
            CommandIntake intake,
            EventSink sink,
            PrometheusMeterRegistry registry,
            BooleanSupplier ready,
            Clock clock) {
        this.settings = settings;
        this.intake = intake;
        this.sink = sink;
        this.registry = registry;
        this.ready = ready;
        this.clock = clock;
        this.metrics = new CommandMetrics(registry);
        this.openApi = resource("/openapi.json");
    }

    /** Binds the server and starts answering. */
    public CommandApi start() {
        app = Javalin.create(config -> {
            config.showJavalinBanner = false;
            config.startupWatcherEnabled = false;
            config.http.prefer405over404 = true;
            config.jetty.modifyHttpConfiguration(http -> {
                http.setSendServerVersion(false);
                http.setMinRequestDataRate(settings.minBodyRate());
                http.setIdleTimeout(settings.idleTimeout().toMillis());
            });
            config.jetty.addConnector((server, http) -> {
                ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(http));
                connector.setHost(settings.host());
                connector.setPort(settings.port());
                connector.setIdleTimeout(settings.idleTimeout().toMillis());
                return connector;
            });
            config.jetty.modifyServer(server -> server.setErrorHandler(new ProblemErrorHandler(json)));
            config.jetty.modifyServletContextHandler(context -> context.setErrorHandler(new ProblemErrorHandler(json)));
        });
        app.post("/v1/commands", this::command);
        app.post("/v1/commands:batch", this::batch);
        app.get("/health/live", ctx -> ctx.contentType(JSON).result("{\"status\":\"up\"}"));
        app.get("/health/ready", this::readiness);
        app.get("/metrics", ctx -> ctx.contentType(PROMETHEUS_TEXT).result(registry.scrape()));
        app.get("/openapi.json", ctx -> ctx.contentType(JSON).result(openApi));
        app.exception(HttpResponseException.class, (e, ctx) -> {
            ProblemType type = ProblemStatus.typeOf(e.getStatus());
            respond(ctx, Problem.of(type, detailOf(type, ctx)));
        });
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
        app.exception(UnsupportedMediaType.class, (e, ctx) -> {
            ctx.header("Connection", "close");
            respond(ctx, Problem.of(ProblemType.UNSUPPORTED_MEDIA_TYPE, e.getMessage()));
        });
        app.exception(Exception.class, (e, ctx) -> {
            log.error("Request failed (method={}, path={})", ctx.method(), ctx.path(), e);
            respond(ctx, Problem.of(ProblemType.INTERNAL_ERROR, "the request failed inside the service"));
        });
        app.error(404, ctx -> respondUnlessProblem(ctx, ProblemType.NOT_FOUND));
        app.error(405, ctx -> respondUnlessProblem(ctx, ProblemType.METHOD_NOT_ALLOWED));
        app.start();
        log.info("Command API listening (host={}, port={})", settings.host(), app.port());
        return this;
    }

    /** The port the server is bound to. */
    public int port() {
        return app.port();
    }

    private void command(Context ctx) throws IOException {
        requireMediaType(ctx, JSON);
        byte[] body = RequestBodies.read(ctx.req(), settings.requestMaxBytes());
        Intake outcome = intake.read(body);
        if (outcome instanceof Intake.Rejected rejected) {
            metrics.count(rejected.commandType(), CommandMetrics.REJECTED);
            respond(ctx, rejected.problem());
            return;
        }
        Intake.Accepted accepted = (Intake.Accepted) outcome;
        try (MDC.MDCCloseable ignored = MDC.putCloseable("commandId", accepted.id())) {
            Deadline deadline = Deadline.after(clock, settings.requestTimeout());
            Problem failure = await(sink.publish(accepted.events()), deadline);
            if (failure != null) {
                metrics.count(accepted.commandType(), CommandMetrics.FAILED);
                respond(ctx, failure);
                return;
            }
            metrics.count(accepted.commandType(), CommandMetrics.ACCEPTED);
            log.debug("Command accepted (events={})", accepted.events().size());
            ObjectNode answer = json.createObjectNode();
            answer.put("commandId", accepted.id()).put("status", "accepted");
            eventsOf(answer, accepted.events());
            ctx.status(202).contentType(JSON).result(json.writeValueAsBytes(answer));
        }
    }

    private void batch(Context ctx) throws IOException {
        requireMediaType(ctx, NDJSON);
        byte[] body = RequestBodies.read(ctx.req(), settings.batchMaxBytes());
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
        List<CompletableFuture<Void>> acks = send(outcomes, Deadline.after(clock, settings.requestTimeout()));

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < lines.size(); i++) {
            ObjectNode result = lineResult(lines.get(i).number(), outcomes.get(i), acks.get(i));
            json.writeValue(out, result);
            out.write('\n');
        }
        ctx.status(200).contentType(NDJSON).result(out.toByteArray());
    }

    /**
     * Sends the events of every accepted line without waiting in between, then waits for all acknowledgements
     * together. Once a send fails at once (Kafka unreachable) or the deadline passes, the remaining lines are not
     * sent, so the batch still answers within the request timeout.
     */
    private List<CompletableFuture<Void>> send(List<Intake> outcomes, Deadline deadline) {
        List<CompletableFuture<Void>> acks = new ArrayList<>(outcomes.size());
        boolean stopped = false;
        for (Intake outcome : outcomes) {
            if (!(outcome instanceof Intake.Accepted accepted)) {
                acks.add(null);
                continue;
            }
            if (stopped || deadline.expired()) {
                acks.add(CompletableFuture.failedFuture(new KafkaUnavailableException(
                        "not sent: Kafka did not answer within the request timeout", null)));
                continue;
            }
            CompletableFuture<Void> ack = sink.publish(accepted.events());
            stopped = ack.isCompletedExceptionally();
            acks.add(ack);
        }
        CompletableFuture<?>[] pending = acks.stream().filter(Objects::nonNull).toArray(CompletableFuture<?>[]::new);
        await(CompletableFuture.allOf(pending), deadline);
        return acks;
    }

    private ObjectNode lineResult(int number, Intake outcome, CompletableFuture<Void> ack) {
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
        metrics.count(accepted.commandType(), CommandMetrics.ACCEPTED);
        result.put("status", "accepted").put("commandId", accepted.id());
        eventsOf(result, accepted.events());
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

    private void requireMediaType(Context ctx, String expected) {
        String actual = RequestBodies.mediaType(ctx.contentType()).orElse(null);
        if (!expected.equals(actual)) {
            throw new UnsupportedMediaType(expected, actual);
        }
    }

    private void eventsOf(ObjectNode answer, List<EventEnvelope> events) {
        ArrayNode list = answer.putArray("events");
        for (EventEnvelope event : events) {
            list.addObject().put("eventId", event.getEventId());
        }
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
