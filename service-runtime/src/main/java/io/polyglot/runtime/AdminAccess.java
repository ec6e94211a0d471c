package io.polyglot.runtime;

import java.util.List;
import java.util.Map;

/**
 * Who may call the {@link AdminRoutes} of a {@link ServiceEndpoint}: the one seam where the bearer-token check of the
 * access issue plugs in. Until then every worker uses {@link #OPEN}, and the endpoint binds to loopback by default.
 */
@FunctionalInterface
public interface AdminAccess {

    /** Lets every request through; the endpoint's bind address is the only guard. */
    AdminAccess OPEN = headers -> true;

    /** Whether a request with these headers (names as the client sent them) may call the admin routes. */
    boolean allows(Map<String, List<String>> requestHeaders);
}
