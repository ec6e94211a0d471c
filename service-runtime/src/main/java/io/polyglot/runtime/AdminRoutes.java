package io.polyglot.runtime;

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
}
