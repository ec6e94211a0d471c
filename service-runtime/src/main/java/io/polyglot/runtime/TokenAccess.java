package io.polyglot.runtime;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.slf4j.Logger;

/**
 * Who may call a service, from its {@code POLYGLOT_TOKEN} and {@code METRICS_OPEN} settings: with a token, every
 * route but {@code /health/*} (and {@code /metrics} while it is open) wants {@code Authorization: Bearer <token>}.
 * Without one the service runs open, which is allowed only when it binds to a loopback address: nothing reachable from
 * the network is ever open.
 */
public final class TokenAccess implements AdminAccess {

    public static final Setting<String> POLYGLOT_TOKEN = Setting.secret(
            "POLYGLOT_TOKEN",
            "",
            "Bearer token every caller sends (Authorization: Bearer ...) on every route but /health/*; "
                    + "empty runs open, which only a loopback bind allows");
    public static final Setting<Boolean> METRICS_OPEN = Setting.flag(
            "METRICS_OPEN",
            true,
            "Whether /metrics answers without the token: open by default so a scraper on the host needs no secret, "
                    + "as the metrics hold counts and names, never commands, payloads or credentials");

    /** The settings this access is made from; every service declares them with its own. */
    public static final List<Setting<?>> SETTINGS = List.of(POLYGLOT_TOKEN, METRICS_OPEN);

    /**
     * The open health paths: one plain segment under {@code /health/}, so that no {@code ..}, encoded character or
     * further segment can make a guarded route look like health.
     */
    private static final Pattern HEALTH = Pattern.compile("/health/[a-z]+");

    private static final String METRICS_PATH = "/metrics";

    private final Optional<BearerToken> token;
    private final boolean metricsOpen;

    private TokenAccess(Optional<BearerToken> token, boolean metricsOpen) {
        this.token = token;
        this.metricsOpen = metricsOpen;
    }

    /**
     * The access of a service that binds to {@code bindHost}, from settings that declared {@link #SETTINGS}.
     *
     * @throws InvalidSettingException when the token is not a valid token, or when there is none and {@code
     *     bindHost} is not a loopback address
     */
    public static TokenAccess from(Settings settings, String bindHost, Logger log) {
        String configured = settings.get(POLYGLOT_TOKEN);
        boolean metricsOpen = settings.get(METRICS_OPEN);
        if (!configured.isEmpty()) {
            try {
                return new TokenAccess(Optional.of(BearerToken.of(configured)), metricsOpen);
            } catch (IllegalArgumentException e) {
                throw new InvalidSettingException("POLYGLOT_TOKEN=**** is invalid: " + e.getMessage());
            }
        }
        if (!isLoopback(bindHost)) {
            throw new InvalidSettingException("POLYGLOT_TOKEN is not set and HTTP_HOST=" + bindHost
                    + " is not a loopback address: a service reachable from the network must require a token; "
                    + "set POLYGLOT_TOKEN or bind to 127.0.0.1");
        }
        log.warn(
                "No POLYGLOT_TOKEN is set: every route answers without a token, allowed only because the service "
                        + "binds to loopback (host={})",
                bindHost);
        return new TokenAccess(Optional.empty(), metricsOpen);
    }

    /**
     * The access of a service that binds to {@code bindHost}, read from {@code env} on its own: its settings are
     * logged, masked, as one line.
     *
     * @throws InvalidSettingException as {@link #from(Settings, String, Logger)}
     */
    public static TokenAccess load(Map<String, String> env, String bindHost, Logger log) {
        Settings settings = Settings.load(env, SETTINGS);
        settings.logResolved(log);
        return from(settings, bindHost, log);
    }

    /** Whether a token is configured, so that callers must show it. */
    public boolean requiresToken() {
        return token.isPresent();
    }

    /**
     * Whether a request for {@code path} (as sent, not decoded) must carry the token: everything but {@code
     * /health/*} and, while it is open, {@code /metrics}.
     */
    public boolean guards(String path) {
        if (token.isEmpty() || HEALTH.matcher(path).matches()) {
            return false;
        }
        return !(metricsOpen && path.equals(METRICS_PATH));
    }

    /** The verdict on the values of every {@code Authorization} header of a request. */
    public AccessVerdict check(List<String> authorizationHeaders) {
        return token.map(expected -> expected.check(authorizationHeaders)).orElse(AccessVerdict.ALLOWED);
    }

    @Override
    public AccessVerdict verdict(Map<String, List<String>> requestHeaders) {
        List<String> authorization = new ArrayList<>();
        requestHeaders.forEach((name, values) -> {
            if ("Authorization".equalsIgnoreCase(name)) {
                authorization.addAll(values);
            }
        });
        return check(authorization);
    }

    @Override
    public boolean allows(Map<String, List<String>> requestHeaders) {
        return verdict(requestHeaders).allowed();
    }

    @Override
    public boolean guardsMetrics() {
        return guards(METRICS_PATH);
    }

    private static boolean isLoopback(String host) {
        if (host == null || host.isBlank()) {
            return false;
        }
        try {
            return InetAddress.getByName(host.strip()).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    @Override
    public String toString() {
        return "TokenAccess[token=" + (token.isPresent() ? "****" : "none") + ", metricsOpen=" + metricsOpen + "]";
    }
}
