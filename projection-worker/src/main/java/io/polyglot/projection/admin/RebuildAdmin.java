package io.polyglot.projection.admin;

import io.polyglot.projection.ReadModelRebuild;
import io.polyglot.projection.rebuild.ProjectionRebuild;
import io.polyglot.runtime.AdminResponse;
import io.polyglot.runtime.AdminRoutes;
import io.polyglot.runtime.AdminTask;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The projection's rebuild endpoints, under {@code /admin/rebuilds} of its health and metrics endpoint:
 *
 * <ul>
 *   <li>{@code POST /admin/rebuilds} (optionally {@code ?view=NAME&view=...}, all views when none): starts a rebuild
 *       of the read model in the background and answers 202 with its state; 409 while one started here runs, 400 for
 *       an unknown view. A rebuild from the command line holds PostgreSQL's rebuild lock, and one started here then
 *       fails with that reason;
 *   <li>{@code GET /admin/rebuilds/latest}: the latest rebuild's state ({@code running}, {@code succeeded},
 *       {@code failed}), its progress (phase, offsets read of the total, events applied), start and end times, and
 *       at the end what was swapped in or the error; 404 before the first.
 * </ul>
 */
public final class RebuildAdmin implements AdminRoutes {

    /** The prefix of these routes. */
    public static final String PREFIX = "/admin/rebuilds";

    private final AdminTask task;
    private final List<String> views;
    private final Function<List<String>, Prepared> rebuilds;

    /**
     * A rebuild, not started, and what to close once it has run.
     *
     * @param rebuild the rebuild
     * @param resources closed after the run, such as the rebuild's own connection pool
     */
    public record Prepared(ProjectionRebuild rebuild, AutoCloseable resources) {}

    /**
     * @param task runs the rebuilds, one at a time
     * @param views the views a rebuild may name
     * @param rebuilds a rebuild, not started, for the given views (all when empty)
     */
    public RebuildAdmin(AdminTask task, List<String> views, Function<List<String>, Prepared> rebuilds) {
        this.task = task;
        this.views = List.copyOf(views);
        this.rebuilds = rebuilds;
    }

    @Override
    public AdminResponse handle(String method, String path) {
        return handle(method, path, null);
    }

    @Override
    public AdminResponse handle(String method, String path, String query) {
        if (path.equals(PREFIX) || path.equals(PREFIX + "/")) {
            return "POST".equals(method) ? start(values(query, "view")) : notAllowed(method, path);
        }
        if (path.equals(PREFIX + "/latest")) {
            return "GET".equals(method) ? task.latest() : notAllowed(method, path);
        }
        return AdminRoutes.NONE.handle(method, path);
    }

    private AdminResponse start(List<String> chosen) {
        List<String> unknown =
                chosen.stream().filter(view -> !views.contains(view)).toList();
        if (!unknown.isEmpty()) {
            return AdminResponse.problem(
                    400,
                    "invalid-parameter",
                    "no view " + String.join(", ", unknown) + " can be rebuilt; the views are "
                            + String.join(", ", views));
        }
        Map<String, Object> request = Map.of("views", chosen.isEmpty() ? views : chosen);
        return task.start(request, () -> execution(rebuilds.apply(chosen), chosen));
    }

    private static AdminTask.Execution execution(Prepared prepared, List<String> chosen) {
        return new AdminTask.Execution() {
            @Override
            public Map<String, Object> progress() {
                return prepared.rebuild().progress();
            }

            @Override
            public Map<String, Object> run() throws Exception {
                try (AutoCloseable resources = prepared.resources()) {
                    return result(prepared.rebuild().run(chosen));
                }
            }
        };
    }

    private static Map<String, Object> result(ReadModelRebuild.Swapped swapped) {
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("tables", swapped.tables());
        result.put("offsets", new TreeMap<>(swapped.offsets()));
        result.put("rowsDiffering", swapped.rowsDiffering());
        result.put("viewsRecreated", swapped.viewsRecreated());
        return result;
    }

    /** The values of {@code name} in a raw query string, decoded, in order. */
    static List<String> values(String query, String name) {
        List<String> values = new ArrayList<>();
        if (query == null || query.isEmpty()) {
            return values;
        }
        for (String pair : query.split("&")) {
            int equals = pair.indexOf('=');
            String key = URLDecoder.decode(equals < 0 ? pair : pair.substring(0, equals), StandardCharsets.UTF_8);
            if (key.equals(name) && equals >= 0) {
                values.add(URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8));
            }
        }
        return values;
    }

    private static AdminResponse notAllowed(String method, String path) {
        return AdminResponse.problem(405, "method-not-allowed", method + " is not allowed on " + path);
    }
}
