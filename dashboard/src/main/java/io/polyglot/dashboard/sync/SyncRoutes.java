package io.polyglot.dashboard.sync;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.polyglot.dashboard.ProblemException;
import io.polyglot.dashboard.RequestForm;
import io.polyglot.dashboard.workers.WorkerAdmin;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The Sync page's API, which goes through the workers' admin routes with the stack's token: {@code POST
 * /api/sync/rebuild} (form fields {@code view}, repeatable; none rebuilds every view) starts a rebuild on the
 * projection worker, {@code POST /api/sync/verify} a verification on the archiver, and {@code GET /api/sync} gives
 * both latest states ({@code GET /api/sync/verification} only the verification's, for the overview). A worker's
 * answer to a start (202, 400, 409) is relayed as it is; a worker that does not answer is 502.
 */
public final class SyncRoutes {

    private static final String JSON_TYPE = "application/json";
    private static final String REBUILDS = "/admin/rebuilds";
    private static final String VERIFICATIONS = "/admin/verifications";
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final WorkerAdmin projection;
    private final WorkerAdmin archiver;
    private final List<String> views;
    private final ObjectMapper json = new ObjectMapper();

    /**
     * @param projectionUrl the projection worker's health endpoint
     * @param archiverUrl the archiver's health endpoint
     * @param token the stack's token, when it has one
     * @param views the views the page offers to rebuild
     */
    public SyncRoutes(String projectionUrl, String archiverUrl, Optional<String> token, List<String> views) {
        this.projection = new WorkerAdmin("projection worker", projectionUrl, token);
        this.archiver = new WorkerAdmin("archiver", archiverUrl, token);
        this.views = List.copyOf(views);
    }

    /** Adds the routes to {@code app}; its access check runs before them. */
    public void register(Javalin app) {
        app.get("/api/sync", this::states);
        app.get("/api/sync/verification", this::verification);
        app.post("/api/sync/rebuild", this::rebuild);
        app.post("/api/sync/verify", this::verify);
    }

    private void states(Context ctx) {
        RequestForm.requireQuery(ctx, Set.of());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("views", views);
        body.put("rebuild", latest(projection, REBUILDS));
        body.put("verification", latest(archiver, VERIFICATIONS));
        json(ctx, body);
    }

    /** The latest verification; a worker that does not answer is 502 and one that fails is relayed, as for a start. */
    private void verification(Context ctx) {
        RequestForm.requireQuery(ctx, Set.of());
        WorkerAdmin.Answer answer = get(archiver, VERIFICATIONS + "/latest");
        if (answer.status() == 404) {
            json(ctx, null);
            return;
        }
        relay(ctx, answer);
    }

    private void rebuild(Context ctx) {
        List<String> chosen = RequestForm.read(ctx, Set.of("view")).values("view");
        chosen.forEach(view -> RequestForm.requireOneOf("view", view, views));
        String query = chosen.stream()
                .map(view -> "view=" + URLEncoder.encode(view, StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        relay(ctx, post(projection, query.isEmpty() ? REBUILDS : REBUILDS + "?" + query));
    }

    private void verify(Context ctx) {
        RequestForm.read(ctx, Set.of());
        relay(ctx, post(archiver, VERIFICATIONS));
    }

    /** The worker's latest state; null before the first run, and the reason when the worker cannot tell. */
    private Object latest(WorkerAdmin worker, String prefix) {
        try {
            WorkerAdmin.Answer answer = get(worker, prefix + "/latest");
            if (answer.status() == 404) {
                return null;
            }
            JsonNode body = json.readTree(answer.body());
            return answer.status() == 200
                    ? body
                    : Map.of("state", "unknown", "error", body.path("detail").asText());
        } catch (ProblemException e) {
            return Map.of("state", "unknown", "error", e.getMessage());
        } catch (JsonProcessingException e) {
            return Map.of("state", "unknown", "error", "the worker's answer is not JSON");
        }
    }

    private static WorkerAdmin.Answer post(WorkerAdmin worker, String pathAndQuery) {
        try {
            return worker.post(pathAndQuery, TIMEOUT);
        } catch (WorkerAdmin.UnansweredException e) {
            throw unreachable(worker, e);
        }
    }

    private static WorkerAdmin.Answer get(WorkerAdmin worker, String path) {
        try {
            return worker.get(path, TIMEOUT);
        } catch (WorkerAdmin.UnansweredException e) {
            throw unreachable(worker, e);
        }
    }

    private static ProblemException unreachable(WorkerAdmin worker, WorkerAdmin.UnansweredException e) {
        return e.interrupted()
                ? ProblemException.unreachable("interrupted while asking the " + worker.name())
                : ProblemException.unreachable(
                        "the " + worker.name() + " at " + worker.url("") + " did not answer: " + e.reason());
    }

    private static void relay(Context ctx, WorkerAdmin.Answer answer) {
        ctx.header("Cache-Control", "no-store");
        ctx.status(answer.status()).contentType(answer.contentType()).result(answer.body());
    }

    private void json(Context ctx, Object body) {
        try {
            ctx.header("Cache-Control", "no-store");
            ctx.contentType(JSON_TYPE).result(json.writeValueAsString(body));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
