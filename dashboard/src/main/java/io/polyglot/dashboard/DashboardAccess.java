package io.polyglot.dashboard;

import io.javalin.http.Context;
import io.polyglot.runtime.AccessVerdict;
import io.polyglot.runtime.TokenAccess;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Who may see the dashboard: a browser signed in with the token (an HttpOnly, SameSite=Strict session cookie), or a
 * client that sends {@code Authorization: Bearer <POLYGLOT_TOKEN>}. Open to anyone: {@code /health/*}, {@code /metrics}
 * while {@code METRICS_OPEN}, the sign-in page, and the static assets (the dashboard's own scripts and styles and the
 * WebJars), which hold no data.
 */
final class DashboardAccess {

    static final String COOKIE = "polyglot_session";
    private static final String SIGN_IN = "/signin";
    private static final Pattern ASSET = Pattern.compile("/(assets|webjars)/[A-Za-z0-9_\\-./]+");

    private final TokenAccess token;
    private final Sessions sessions;

    DashboardAccess(TokenAccess token, Sessions sessions) {
        this.token = token;
        this.sessions = sessions;
    }

    /**
     * Lets the request through or refuses it.
     *
     * @throws SignInRequiredException when the request needs a session or the token and shows neither
     */
    void require(Context ctx) {
        String path = ctx.path();
        if (open(path) || sessions.valid(ctx.cookie(COOKIE))) {
            return;
        }
        AccessVerdict verdict = token.check(Collections.list(ctx.req().getHeaders("Authorization")));
        if (!verdict.allowed()) {
            String accept = Optional.ofNullable(ctx.header("Accept")).orElse("");
            boolean page = !path.startsWith("/api/") && accept.contains("text/html");
            throw new SignInRequiredException(verdict, page);
        }
    }

    /** Whether {@code token} is the dashboard's token (always, when it runs open). */
    boolean accepts(String presented) {
        if (!token.requiresToken()) {
            return true;
        }
        return presented != null && token.check(List.of("Bearer " + presented)).allowed();
    }

    boolean requiresToken() {
        return token.requiresToken();
    }

    private boolean open(String path) {
        if (!token.guards(path) || path.equals(SIGN_IN)) {
            return true;
        }
        return ASSET.matcher(path).matches() && !path.contains("..") && !path.contains("//");
    }
}
