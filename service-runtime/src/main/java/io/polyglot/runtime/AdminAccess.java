package io.polyglot.runtime;

import java.util.List;
import java.util.Map;

/**
 * Who may call the guarded routes of a {@link ServiceEndpoint}: its {@link AdminRoutes} and unknown paths always, and
 * {@code /metrics} when {@link #guardsMetrics()}. A worker passes its {@link TokenAccess}; {@link #OPEN} is for tests.
 */
@FunctionalInterface
public interface AdminAccess {

    /** Lets every request through; the endpoint's bind address is the only guard. */
    AdminAccess OPEN = headers -> true;

    /** Whether a request with these headers (names as the client sent them) may call the admin routes. */
    boolean allows(Map<String, List<String>> requestHeaders);

    /** Why a request with these headers is refused, or {@link AccessVerdict#ALLOWED}. */
    default AccessVerdict verdict(Map<String, List<String>> requestHeaders) {
        return allows(requestHeaders) ? AccessVerdict.ALLOWED : AccessVerdict.MISSING;
    }

    /** Whether {@code /metrics} wants the same access as the admin routes. */
    default boolean guardsMetrics() {
        return false;
    }
}
