package io.polyglot.dashboard.seed;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.UploadedFile;
import io.polyglot.dashboard.ProblemException;
import io.polyglot.dashboard.RequestForm;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The Seed page's API: {@code GET /api/seed/files} (the logs of the seed folder), {@code POST /api/seed} (a form
 * naming a {@code file} of the folder, or a multipart form with an {@code upload}, plus {@code type} and for CSV the
 * column mapping), {@code GET /api/seed} (the current or last import) and {@code POST /api/seed/cancel}.
 */
public final class SeedRoutes {

    private static final String JSON_TYPE = "application/json";
    // "source" is the page's radio button between the two ways of giving a log; the choice shows in what is sent.
    private static final Set<String> FIELDS = fields();
    private static final List<String> SOURCES = List.of("folder", "upload");

    private final Seeding seeding;
    private final ObjectMapper json = new ObjectMapper();

    public SeedRoutes(Seeding seeding) {
        this.seeding = seeding;
    }

    /** Adds the routes to {@code app}; its access check runs before them. */
    public void register(Javalin app) {
        app.get("/api/seed/files", this::files);
        app.get("/api/seed", ctx -> {
            RequestForm.requireQuery(ctx, Set.of());
            json(ctx, 200, seeding.status());
        });
        app.post("/api/seed", this::start);
        app.post("/api/seed/cancel", this::cancel);
    }

    private void files(Context ctx) {
        RequestForm.requireQuery(ctx, Set.of());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("directory", seeding.folder().root().map(Object::toString).orElse(null));
        body.put("files", seeding.folder().list());
        body.put("uploadMaxBytes", seeding.uploadMaxBytes());
        json(ctx, 200, body);
    }

    private void cancel(Context ctx) {
        RequestForm.read(ctx, Set.of());
        Map<String, Object> state = seeding.cancel();
        json(ctx, "cancelling".equals(state.get("state")) ? 202 : 200, state);
    }

    private void start(Context ctx) {
        RequestForm form = RequestForm.read(ctx, FIELDS);
        RequestForm.requireOneOf("source", form.value("source"), SOURCES);
        Optional<UploadedFile> upload = form.upload("upload");
        if (upload.isPresent() && form.value("file") != null) {
            throw ProblemException.badParameter("file", "give a file of the seed folder or an upload, not both");
        }
        Map<String, Object> started = upload.isPresent()
                ? seeding.startFromUpload(upload.get().filename(), upload.get().content(), form::value)
                : seeding.startFromFolder(form.value("file"), form::value);
        json(ctx, 202, started);
    }

    private void json(Context ctx, int status, Object body) {
        try {
            ctx.header("Cache-Control", "no-store");
            ctx.status(status).contentType(JSON_TYPE).result(json.writeValueAsString(body));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Set<String> fields() {
        Set<String> fields = new java.util.HashSet<>(Set.of("file", "upload", "type", "source"));
        fields.addAll(SeedOptions.CSV_FIELDS.keySet());
        return Set.copyOf(fields);
    }
}
