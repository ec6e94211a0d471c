package io.polyglot.dashboard;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The signed-in browsers, kept in memory: a session id is 32 random bytes, URL-safe base64, that means nothing
 * outside this process, and lasts {@code ttl} from its sign-in. A restart of the dashboard signs everyone out.
 */
final class Sessions {

    private static final int ID_BYTES = 32;

    private final SecureRandom random = new SecureRandom();
    private final Map<String, Instant> expiries = new ConcurrentHashMap<>();
    private final Clock clock;
    private final Duration ttl;

    Sessions(Clock clock, Duration ttl) {
        this.clock = clock;
        this.ttl = ttl;
    }

    /** A new session, valid for the time to live from now. */
    String open() {
        Instant now = clock.instant();
        expiries.values().removeIf(expiry -> !expiry.isAfter(now));
        byte[] bytes = new byte[ID_BYTES];
        random.nextBytes(bytes);
        String id = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        expiries.put(id, now.plus(ttl));
        return id;
    }

    /** Whether {@code id} names a session that has not expired; an expired one is forgotten. */
    boolean valid(String id) {
        if (id == null) {
            return false;
        }
        Instant expiry = expiries.get(id);
        if (expiry == null) {
            return false;
        }
        if (!expiry.isAfter(clock.instant())) {
            expiries.remove(id, expiry);
            return false;
        }
        return true;
    }

    /** Forgets {@code id}, at sign-out. */
    void close(Optional<String> id) {
        id.ifPresent(expiries::remove);
    }

    Duration ttl() {
        return ttl;
    }
}
