package io.polyglot.runtime;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The operator routes a worker serves under {@code /admin/} on its {@link ServiceEndpoint}, such as the dead-letter
 * endpoints. The endpoint asks its {@link AdminAccess} first, so the routes themselves never check who calls.
 */
@FunctionalInterface
public interface AdminRoutes {

    /** No operator routes: every {@code /admin/} request gets 404. */
    AdminRoutes NONE = (method, path) -> AdminResponse.problem(404, "not-found", "no such route: " + path);

    /**
     * Answers one request.
     *
     * @param method the HTTP method, upper case
     * @param path the request path, starting with {@code /admin/}, not decoded
     */
    AdminResponse handle(String method, String path);

    /**
     * Answers one request that may carry a query string; routes that take parameters override this, the others see
     * only the method and the path.
     *
     * @param query the raw query string, null when the request has none
     */
    default AdminResponse handle(String method, String path, String query) {
        return handle(method, path);
    }

    /**
     * Routes that answer by path prefix, so that one endpoint serves several groups of routes (dead letters,
     * rebuilds, ...): a request goes to the routes whose prefix is its path or a parent folder of it; any other gets
     * 404.
     *
     * @param routes the routes by prefix, such as {@code /admin/rebuilds}
     */
    static AdminRoutes byPrefix(Map<String, AdminRoutes> routes) {
        Map<String, AdminRoutes> copy = new LinkedHashMap<>(routes);
        return new AdminRoutes() {
            @Override
            public AdminResponse handle(String method, String path) {
                return handle(method, path, null);
            }

            @Override
            public AdminResponse handle(String method, String path, String query) {
                for (Map.Entry<String, AdminRoutes> entry : copy.entrySet()) {
                    if (path.equals(entry.getKey()) || path.startsWith(entry.getKey() + "/")) {
                        return entry.getValue().handle(method, path, query);
                    }
                }
                return NONE.handle(method, path);
            }
        };
    }
}
