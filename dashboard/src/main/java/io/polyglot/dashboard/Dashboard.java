package io.polyglot.dashboard;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.javalin.Javalin;
import io.javalin.config.SizeUnit;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import io.javalin.http.MethodNotAllowedResponse;
import io.javalin.http.staticfiles.Location;
import io.javalin.http.staticfiles.StaticFileConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.polyglot.dashboard.deadletters.DeadLetterDesk;
import io.polyglot.dashboard.events.EventBrowser;
import io.polyglot.dashboard.events.NotFoundException;
import io.polyglot.dashboard.events.ReadersBusyException;
import io.polyglot.dashboard.events.TopicPages;
import io.polyglot.dashboard.overview.Overview;
import io.polyglot.dashboard.overview.OverviewSampler;
import io.polyglot.dashboard.seed.SeedFolder;
import io.polyglot.dashboard.seed.SeedRoutes;
import io.polyglot.dashboard.seed.Seeding;
import io.polyglot.dashboard.sync.SyncRoutes;
import io.polyglot.dashboard.views.BadParameterException;
import io.polyglot.dashboard.views.UnknownViewException;
import io.polyglot.dashboard.views.ViewCatalog;
import io.polyglot.dashboard.views.ViewQuery;
import io.polyglot.dashboard.views.ViewReader;
import io.polyglot.dashboard.views.ViewUnavailableException;
import io.polyglot.runtime.AdminResponse;
import io.polyglot.runtime.KafkaUnavailableException;
import io.polyglot.runtime.Metrics;
import io.polyglot.runtime.RequestLineMethod;
import jakarta.servlet.DispatcherType;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.eclipse.jetty.servlet.FilterHolder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dashboard's HTTP server: the pages, the sign-in, and the JSON and CSV endpoints of the read-model views
 * ({@code GET /api/views/{view}}, {@code /api/views/{view}/columns}, {@code /api/views/{view}.csv}), with
 * {@code /health/live}, {@code /health/ready} (PostgreSQL answers) and {@code /metrics}.
 */
public final class Dashboard implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Dashboard.class);
    private static final String JSON = "application/json";
    private static final String HTML = "text/html; charset=utf-8";
    private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
    private static final String CSV_SUFFIX = ".csv";
    private static final int CONNECTIONS = 4;

    /** The chunk in which a handler's result is copied to the response. */
    private static final int RESPONSE_COPY_BYTES = 2_048;

    private final DashboardConfig config;
    private final HikariDataSource database;
    private final PrometheusMeterRegistry registry;
    private final ObjectMapper json = new ObjectMapper();
    private final Problems problems = new Problems(json);
    private final Sessions sessions;
    private final DashboardAccess access;
    private final ViewCatalog catalog;
    private final ViewReader reader;
    private final Map<String, String> pages = new LinkedHashMap<>();
    private final Clock clock;
    private final EventBrowser events;
    private final DeadLetterDesk deadLetters;
    private final Seeding seeding;
    private Javalin app;
    private OverviewSampler overview;

    private Dashboard(DashboardConfig config, Clock clock) {
        this.config = config;
        this.clock = clock;
        this.database = pool(config);
        this.registry = Metrics.registry("dashboard");
        this.sessions = new Sessions(clock, config.sessionTtl());
        this.access = new DashboardAccess(config.access(), sessions);
        this.catalog = new ViewCatalog(database);
        this.reader = new ViewReader(database, catalog, config.queryTimeout());
        this.events = EventBrowser.of(config, clock);
        this.deadLetters = new DeadLetterDesk(config, events.records());
        this.seeding = new Seeding(
                new SeedFolder(config.operations().seedFolder()),
                config.operations().importer(),
                config.commandUrl(),
                config.serviceBearer(),
                config.operations().uploadMaxBytes(),
                clock);
        for (String page : List.of("signin", "grid", "overview", "events", "dead-letters", "seed", "sync")) {
            pages.put(page, resource("/dashboard/" + page + ".html"));
        }
    }

    /** Starts the dashboard on its host and port; PostgreSQL need not be up yet (readiness says when it is). */
    public static Dashboard start(DashboardConfig config, Clock clock) {
        Dashboard dashboard = new Dashboard(config, clock);
        try {
            dashboard.listen();
        } catch (RuntimeException e) {
            dashboard.close();
            throw e;
        }
        return dashboard;
    }

    /** The port it listens on, the chosen one when {@code HTTP_PORT} was 0. */
    public int port() {
        return app.port();
    }

    private void listen() {
        app = Javalin.create(javalin -> {
            javalin.showJavalinBanner = false;
            javalin.startupWatcherEnabled = false;
            // The WebJars as Javalin's enableWebjars() serves them, but for the charset their scripts name.
            javalin.staticFiles.add(files -> {
                files.hostedPath = "/webjars";
                files.directory = "META-INF/resources/webjars";
                files.location = Location.CLASSPATH;
                files.headers = Map.of("Cache-Control", "max-age=31622400");
                utf8Assets(files);
            });
            javalin.staticFiles.add(files -> {
                files.hostedPath = "/assets";
                files.directory = "/dashboard/assets";
                files.location = Location.CLASSPATH;
                utf8Assets(files);
            });
            javalin.jetty.modifyHttpConfiguration(http -> http.setSendServerVersion(false));
            // What Jetty refuses before a route runs is answered as problem JSON too, by the server and the context.
            javalin.jetty.modifyServer(server -> server.setErrorHandler(new ProblemErrorHandler(json)));
            javalin.jetty.modifyServletContextHandler(context -> {
                // Every text the dashboard answers is encoded as UTF-8, the JSON and problem answers a route or a
                // worker gives without a charset too, where the servlet response would otherwise use ISO-8859-1.
                context.setDefaultResponseCharacterEncoding(StandardCharsets.UTF_8.name());
                context.setErrorHandler(new ProblemErrorHandler(json));
                // The method on the request line is the request's; Javalin would take one from a header instead.
                context.addFilter(new FilterHolder(new RequestLineMethod()), "/*", EnumSet.of(DispatcherType.REQUEST));
                context.addFilter(new FilterHolder(new HeadAsGet()), "/*", EnumSet.of(DispatcherType.REQUEST));
            });
            // A known path asked with another method is 405 with Allow, not 404.
            javalin.http.prefer405over404 = true;
            // Javalin copies each result into the response through a buffer of this size, allocated per response;
            // unset, it is Jetty's whole output buffer (32 KiB), which Jetty keeps buffering the response in anyway.
            javalin.http.responseBufferSize = RESPONSE_COPY_BYTES;
            // An upload goes to disk past 1 MiB; a part over the limit is refused before it is stored whole.
            javalin.jetty.multipartConfig.maxInMemoryFileSize(1, SizeUnit.MB);
            javalin.jetty.multipartConfig.maxFileSize(config.operations().uploadMaxBytes(), SizeUnit.BYTES);
        });
        // Before any route is looked up, so an unknown path answers 401 too and nothing is learned without access.
        app.before(access::require);
        app.before(Dashboard::requireUtf8Path);
        app.get("/health/live", ctx -> ctx.contentType(JSON).result("{\"status\":\"up\"}"));
        app.get("/health/ready", this::readiness);
        app.get("/metrics", ctx -> ctx.contentType(PROMETHEUS_TEXT).result(registry.scrape()));
        app.get("/signin", this::signInPage);
        app.post("/signin", this::signIn);
        app.post("/signout", this::signOut);
        app.get("/", ctx -> ctx.redirect("/overview", HttpStatus.SEE_OTHER));
        app.get("/overview", ctx -> page(ctx, "overview", Set.of()));
        app.get("/api/overview", this::overview);
        app.before("/api/overview/stream", ctx -> RequestForm.requireQuery(ctx, Set.of()));
        app.sse("/api/overview/stream", client -> {
            if (overview == null) {
                client.close();
                return;
            }
            overview.subscribe(client);
        });
        app.get("/grid", ctx -> {
            RequestForm.requireQuery(ctx, Set.of("view"));
            RequestForm.requireOneOf("view", ctx.queryParam("view"), ViewCatalog.VIEWS);
            page(ctx, "grid");
        });
        app.get("/api/views", this::views);
        app.get("/api/views/{view}", this::view);
        app.get("/api/views/{view}/columns", ctx -> {
            RequestForm.requireQuery(ctx, Set.of());
            json(ctx, catalog.columns(ctx.pathParam("view")));
        });
        eventRoutes();
        // The Seed and Sync pages: imports as child processes, rebuilds and verifications through the workers
        app.get("/seed", ctx -> page(ctx, "seed", Set.of()));
        new SeedRoutes(seeding).register(app);
        app.get("/sync", ctx -> page(ctx, "sync", Set.of()));
        new SyncRoutes(
                        config.projectionHealthUrl(),
                        config.archiverHealthUrl(),
                        config.serviceBearer(),
                        ViewCatalog.VIEWS)
                .register(app);
        app.exception(
                ProblemException.class,
                (e, ctx) -> problems.respond(ctx, e.status(), e.type(), e.title(), e.getMessage(), e.parameter()));
        app.exception(SignInRequiredException.class, this::refuse);
        app.exception(MethodNotAllowedResponse.class, (e, ctx) -> {
            String allowed = String.join(", ", e.getDetails().values());
            ctx.header("Allow", allowed);
            problems.respond(
                    ctx,
                    405,
                    "method-not-allowed",
                    "Method not allowed",
                    ctx.method() + " " + ctx.path() + " is not answered here; " + allowed + " is");
        });
        app.exception(
                BadParameterException.class,
                (e, ctx) -> problems.respond(
                        ctx, 400, "invalid-parameter", "Invalid parameter", e.getMessage(), e.parameter()));
        app.exception(
                UnknownViewException.class,
                (e, ctx) -> problems.respond(ctx, 404, "not-found", "Unknown view", e.getMessage()));
        app.exception(ViewUnavailableException.class, (e, ctx) -> {
            log.warn("A view could not be read (path={})", ctx.path(), e);
            ctx.header("Retry-After", "5");
            problems.respond(ctx, 503, "database-unavailable", "Database unavailable", e.getMessage());
        });
        app.exception(Exception.class, (e, ctx) -> {
            log.error("Request failed (method={}, path={})", ctx.method(), ctx.path(), e);
            problems.respond(ctx, 500, "internal-error", "Internal error", "the request failed inside the dashboard");
        });
        app.error(404, ctx -> {
            if (!Problems.MEDIA_TYPE.equals(ctx.res().getContentType())) {
                problems.respond(ctx, 404, "not-found", "Not found", "nothing is at " + ctx.path());
            }
        });
        app.start(config.httpHost(), config.httpPort());
        // A wildcard bind answers on loopback too; the overview asks the dashboard's own readiness there.
        String self = config.httpHost().equals("0.0.0.0") ? "127.0.0.1" : config.httpHost();
        if (config.overview()) {
            overview =
                    Overview.start(config, "http://" + self + ":" + app.port(), this::databaseAnswers, database, clock);
        }
        log.info("Dashboard listening (host={}, port={})", config.httpHost(), app.port());
    }

    /** Scripts and style sheets are UTF-8 files, and say so. */
    private static void utf8Assets(StaticFileConfig files) {
        files.mimeTypes.add("text/javascript; charset=utf-8", "js");
        files.mimeTypes.add("text/css; charset=utf-8", "css");
    }

    /** The events and dead-letter pages and their endpoints. */
    private void eventRoutes() {
        app.get("/events", ctx -> {
            RequestForm.requireQuery(ctx, Set.of("type", "id", "topic", "partition", "offset"));
            RequestForm.requireOneOf("topic", ctx.queryParam("topic"), TopicPages.TOPICS);
            page(ctx, "events");
        });
        app.get("/dead-letters", ctx -> page(ctx, "dead-letters", Set.of()));
        app.get("/api/aggregates/{type}/{id}", ctx -> {
            RequestForm.requireQuery(ctx, Set.of());
            json(ctx, events.aggregates().history(ctx.pathParam("type"), ctx.pathParam("id")));
        });
        app.get("/api/topics/{topic}", ctx -> {
            RequestForm.requireQuery(ctx, Set.of());
            json(ctx, events.pages().topic(ctx.pathParam("topic")));
        });
        app.get("/api/topics/{topic}/partitions/{partition}", ctx -> {
            RequestForm.requireQuery(ctx, Set.of("offset", "size"));
            json(
                    ctx,
                    events.pages()
                            .page(
                                    ctx.pathParam("topic"),
                                    ctx.pathParam("partition"),
                                    ctx.queryParam("offset"),
                                    ctx.queryParam("size")));
        });
        app.get("/api/dead-letters", ctx -> {
            RequestForm.requireQuery(ctx, Set.of());
            json(ctx, deadLetters.list());
        });
        app.post("/api/dead-letters/{group}/{partition}/{offset}/{action}", ctx -> {
            RequestForm.read(ctx, Set.of());
            AdminResponse answer = deadLetters.decide(
                    ctx.pathParam("group"),
                    ctx.pathParam("partition"),
                    ctx.pathParam("offset"),
                    ctx.pathParam("action"));
            ctx.status(answer.status()).contentType(answer.contentType()).result(answer.json());
        });
        app.exception(
                NotFoundException.class,
                (e, ctx) -> problems.respond(ctx, 404, "not-found", "Not found", e.getMessage()));
        app.exception(ReadersBusyException.class, (e, ctx) -> {
            ctx.header("Retry-After", "1");
            problems.respond(ctx, 503, "readers-busy", "Readers busy", e.getMessage());
        });
        app.exception(KafkaUnavailableException.class, (e, ctx) -> {
            log.warn("Kafka could not be read (path={})", ctx.path(), e);
            ctx.header("Retry-After", "5");
            problems.respond(ctx, 503, "kafka-unavailable", "Kafka unavailable", e.getMessage());
        });
    }

    private void overview(Context ctx) {
        RequestForm.requireQuery(ctx, Set.of());
        if (overview == null) {
            problems.respond(ctx, 404, "not-found", "Overview off", "the overview is off (OVERVIEW=false)");
            return;
        }
        json(ctx, overview.snapshot());
    }

    private void readiness(Context ctx) {
        boolean ready = databaseAnswers();
        ctx.status(ready ? 200 : 503).contentType(JSON).result(ready ? "{\"status\":\"up\"}" : "{\"status\":\"down\"}");
    }

    private boolean databaseAnswers() {
        try (Connection connection = database.getConnection()) {
            return connection.isValid(2);
        } catch (SQLException e) {
            log.debug("PostgreSQL does not answer", e);
            return false;
        }
    }

    private void views(Context ctx) {
        RequestForm.requireQuery(ctx, Set.of());
        List<Map<String, String>> views = ViewCatalog.VIEWS.stream()
                .map(view -> Map.of("name", view, "url", "/api/views/" + view))
                .toList();
        json(ctx, views);
    }

    private void view(Context ctx) {
        String view = ctx.pathParam("view");
        if (view.endsWith(CSV_SUFFIX)) {
            export(ctx, view.substring(0, view.length() - CSV_SUFFIX.length()));
            return;
        }
        ViewQuery query = ViewQuery.page(ctx.queryParamMap(), catalog.columns(view));
        ViewReader.ViewPage page = reader.page(view, query);
        count(view, "page");
        json(ctx, Map.of("total", page.total(), "rows", page.rows()));
    }

    private void export(Context ctx, String view) {
        ViewQuery query = ViewQuery.export(ctx.queryParamMap(), catalog.columns(view));
        ctx.contentType("text/csv; charset=utf-8");
        ctx.header("Content-Disposition", "attachment; filename=\"" + view + CSV_SUFFIX + "\"");
        ctx.header("Cache-Control", "no-store");
        // The reader closes the writer once the last row is out, which ends the response.
        Writer out = new BufferedWriter(new OutputStreamWriter(ctx.outputStream(), StandardCharsets.UTF_8));
        reader.exportCsv(view, query, out);
        count(view, "export");
    }

    private void count(String view, String kind) {
        Counter.builder("polyglot_dashboard_view_reads")
                .description("Pages and exports of the read-model views the dashboard served")
                .tag("view", view)
                .tag("kind", kind)
                .register(registry)
                .increment();
    }

    private void signInPage(Context ctx) {
        if (!access.requiresToken()) {
            ctx.redirect("/overview", HttpStatus.SEE_OTHER);
            return;
        }
        page(ctx, "signin", Set.of("next"));
    }

    private void signIn(Context ctx) {
        RequestForm form = RequestForm.read(ctx, Set.of("token", "next"));
        String next = safeNext(form.value("next"));
        if (!access.accepts(form.value("token"))) {
            ctx.status(401).header("Cache-Control", "no-store");
            ctx.contentType(HTML)
                    .result(pages.get("signin").replace("<!--message-->", "That is not the stack's token."));
            return;
        }
        String session = sessions.open();
        ctx.header(
                "Set-Cookie",
                DashboardAccess.COOKIE + "=" + session + "; Path=/; Max-Age="
                        + sessions.ttl().toSeconds() + "; HttpOnly; SameSite=Strict");
        ctx.redirect(next, HttpStatus.SEE_OTHER);
    }

    private void signOut(Context ctx) {
        sessions.close(Optional.ofNullable(ctx.cookie(DashboardAccess.COOKIE)));
        ctx.header("Set-Cookie", DashboardAccess.COOKIE + "=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict");
        ctx.redirect("/signin", HttpStatus.SEE_OTHER);
    }

    private void refuse(SignInRequiredException e, Context ctx) {
        if (e.page()) {
            String next = ctx.queryString() == null ? ctx.path() : ctx.path() + "?" + ctx.queryString();
            ctx.redirect("/signin?next=" + URLEncoder.encode(next, StandardCharsets.UTF_8), HttpStatus.SEE_OTHER);
            return;
        }
        ctx.header("WWW-Authenticate", e.verdict().challenge());
        problems.respond(ctx, 401, "unauthorized", "Unauthorized", e.verdict().detail());
    }

    /**
     * Refuses a path whose escapes are not UTF-8 ({@code %ff%fe}): Jetty decodes them to U+FFFD, and an aggregate id
     * or a view looked up under that would be one nobody asked for.
     */
    private static void requireUtf8Path(Context ctx) {
        String raw = ctx.req().getRequestURI();
        if (raw.indexOf('%') < 0) {
            return;
        }
        try {
            StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(percentDecoded(raw)));
        } catch (CharacterCodingException e) {
            throw ProblemException.badRequest("the path's escapes are not UTF-8: " + raw);
        }
    }

    /** The bytes of a path whose escapes Jetty has already checked to be two hex digits each. */
    private static byte[] percentDecoded(String raw) {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%' && i + 2 < raw.length()) {
                bytes.write(Integer.parseInt(raw.substring(i + 1, i + 3), 16));
                i += 2;
            } else {
                bytes.write(c);
            }
        }
        return bytes.toByteArray();
    }

    /** Where a sign-in goes on to: a path of this dashboard, never another site. */
    static String safeNext(String next) {
        if (next == null
                || !next.startsWith("/")
                || next.startsWith("//")
                || next.startsWith("/\\")
                || next.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            return "/overview";
        }
        return next;
    }

    /** The page {@code name}, asked with none but the query parameters in {@code parameters}. */
    private void page(Context ctx, String name, Set<String> parameters) {
        RequestForm.requireQuery(ctx, parameters);
        page(ctx, name);
    }

    /** The page {@code name}, whose query parameters the route has checked. */
    private void page(Context ctx, String name) {
        ctx.header("Cache-Control", "no-store");
        ctx.contentType(HTML).result(pages.get(name));
    }

    private void json(Context ctx, Object body) {
        try {
            ctx.header("Cache-Control", "no-store");
            ctx.contentType(JSON).result(json.writeValueAsString(body));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static HikariDataSource pool(DashboardConfig config) {
        HikariConfig hikari = new HikariConfig();
        hikari.setJdbcUrl(config.database().jdbcUrl());
        hikari.setUsername(config.database().user());
        hikari.setPassword(config.database().password());
        hikari.setMaximumPoolSize(CONNECTIONS);
        hikari.setReadOnly(true);
        hikari.setPoolName("dashboard");
        // The dashboard starts before PostgreSQL answers in some orders of start; readiness reports it meanwhile.
        hikari.setInitializationFailTimeout(-1);
        hikari.setConnectionTimeout(5_000);
        return new HikariDataSource(hikari);
    }

    private static String resource(String path) {
        try (InputStream in = Dashboard.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException(path + " is missing from the dashboard's jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        seeding.close();
        if (overview != null) {
            overview.close();
        }
        if (app != null) {
            app.stop();
        }
        events.close();
        database.close();
        registry.close();
    }
}
