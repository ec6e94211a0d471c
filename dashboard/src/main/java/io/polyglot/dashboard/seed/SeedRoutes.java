package io.polyglot.dashboard.seed;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.UploadedFile;
import io.polyglot.dashboard.ProblemException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The Seed page's API: {@code GET /api/seed/files} (the logs of the seed folder), {@code POST /api/seed} (a form
 * naming a {@code file} of the folder, or a multipart form with an {@code upload}, plus {@code type} and for CSV the
 * column mapping), {@code GET /api/seed} (the current or last import) and {@code POST /api/seed/cancel}.
 */
public final class SeedRoutes {

    private static final String JSON_TYPE = "application/json";

    private final Seeding seeding;
    private final ObjectMapper json = new ObjectMapper();

    public SeedRoutes(Seeding seeding) {
        this.seeding = seeding;
    }

    /** Adds the routes to {@code app}; its access check runs before them. */
    public void register(Javalin app) {
        app.get("/api/seed/files", this::files);
        app.get("/api/seed", ctx -> json(ctx, 200, seeding.status()));
        app.post("/api/seed", this::start);
        app.post("/api/seed/cancel", this::cancel);
    }

    private void files(Context ctx) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("directory", seeding.folder().root().map(Object::toString).orElse(null));
        body.put("files", seeding.folder().list());
        body.put("uploadMaxBytes", seeding.uploadMaxBytes());
        json(ctx, 200, body);
    }

    private void cancel(Context ctx) {
        Map<String, Object> state = seeding.cancel();
        json(ctx, "cancelling".equals(state.get("state")) ? 202 : 200, state);
    }

    private void start(Context ctx) {
        UploadedFile upload = ctx.isMultipart() ? uploaded(ctx) : null;
        // A form whose file input was left empty still sends the part, with no name.
        Map<String, Object> started = upload != null && !upload.filename().isBlank()
                ? seeding.startFromUpload(upload.filename(), upload.content(), ctx::formParam)
                : seeding.startFromFolder(ctx.formParam("file"), ctx::formParam);
        json(ctx, 202, started);
    }

    private UploadedFile uploaded(Context ctx) {
        try {
            return ctx.uploadedFile("upload");
        } catch (IllegalStateException e) {
            // Jetty refuses a part over the multipart limit before the dashboard sees a byte of it.
            throw ProblemException.tooLarge("the upload is larger than " + seeding.uploadMaxBytes() + " bytes");
        }
    }

    private void json(Context ctx, int status, Object body) {
        try {
            ctx.header("Cache-Control", "no-store");
            ctx.status(status).contentType(JSON_TYPE).result(json.writeValueAsString(body));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
