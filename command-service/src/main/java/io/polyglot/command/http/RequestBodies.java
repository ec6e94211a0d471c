package io.polyglot.command.http;

import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.http.BadMessageException;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Request;

/**
 * Reads request bodies within a byte limit and a deadline, and checks their media type.
 *
 * <p>The deadline ({@code HTTP_BODY_TIMEOUT}) runs from the moment the request's headers arrived to the end of its
 * body, so a body that trickles in cannot hold a thread for longer than that. It is checked only before a read that
 * would wait: bytes that have already arrived are read however late the request is served, so a small body that
 * came whole is never refused because the server was busy (a minimum data rate did refuse it).
 */
final class RequestBodies {

    private static final int CHUNK_BYTES = 8_192;

    /** The one charset the command routes read, as a {@code charset} parameter spells it. */
    static final String UTF_8 = "utf-8";

    private static final String CONTENT_TYPE = "Content-Type";
    private static final String CHARSET = "charset";

    /**
     * How long a body read after its deadline may still wait for bytes: long enough for a body already sent to
     * cross the network, short enough that a late read ends soon when the client has stopped.
     */
    static final Duration LATE_GRACE = Duration.ofMillis(250);

    private final Clock clock;
    private final Duration bodyTimeout;
    private final Duration idleTimeout;

    RequestBodies(Clock clock, Duration bodyTimeout, Duration idleTimeout) {
        this.clock = clock;
        this.bodyTimeout = bodyTimeout;
        this.idleTimeout = idleTimeout;
    }

    /**
     * The whole body, refused with {@link BodyTooLargeException} as soon as it is known to be over {@code limit}: at
     * once when {@code Content-Length} says so, else after reading one byte past the limit.
     *
     * @throws BodyUnreadableException when the body is not whole by its deadline
     * @throws BodyMalformedException when the body ends before its announced end or its framing cannot be parsed
     */
    byte[] read(HttpServletRequest request, int limit) {
        long declared = request.getContentLengthLong();
        if (declared > limit) {
            throw new BodyTooLargeException("the body is " + declared + " bytes; at most " + limit + " are accepted");
        }
        Request jetty = Request.getBaseRequest(request);
        Window window = new Window(headersArrived(jetty).plus(bodyTimeout));
        EndPoint endPoint = jetty == null ? null : jetty.getHttpChannel().getEndPoint();
        // A body of announced length takes no bigger chunk than itself: most commands are a few hundred bytes.
        int chunkBytes = declared > 0 ? (int) Math.min(declared, CHUNK_BYTES) : CHUNK_BYTES;
        ByteArrayOutputStream body = new ByteArrayOutputStream(declared > 0 ? (int) declared : CHUNK_BYTES);
        byte[] chunk = new byte[chunkBytes];
        try {
            ServletInputStream in = request.getInputStream();
            while (!in.isFinished()) {
                int read = in.available() > 0 ? in.read(chunk) : readWaiting(in, chunk, endPoint, window);
                if (read < 0) {
                    break;
                }
                body.write(chunk, 0, read);
                if (body.size() > limit) {
                    throw new BodyTooLargeException("the body is over the limit of " + limit + " bytes");
                }
            }
        } catch (IOException | BadMessageException e) {
            if (!timedOut(e)) {
                throw new BodyMalformedException("the body ended before its end, or its framing is broken", e);
            }
            throw new BodyUnreadableException("the body did not arrive in time", e);
        }
        return body.toByteArray();
    }

    /**
     * A read that has to wait for bytes, bounded by the deadline: the connection's idle timeout, which is what ends a
     * blocked read in Jetty, is shortened to the time left for this one read. A server that only gets to the body
     * after its deadline (busy, or paused) still takes what is already on its way, for {@link #LATE_GRACE} from the
     * moment it notices, and no longer, so a client that trickles cannot stretch the grace.
     */
    private int readWaiting(ServletInputStream in, byte[] chunk, EndPoint endPoint, Window window) throws IOException {
        Duration wait = window.waitFrom(clock.instant());
        if (wait.isZero()) {
            throw new BodyUnreadableException("the body was not whole within " + bodyTimeout, null);
        }
        if (endPoint == null || wait.compareTo(idleTimeout) >= 0) {
            return in.read(chunk);
        }
        endPoint.setIdleTimeout(Math.max(1, wait.toMillis()));
        try {
            return in.read(chunk);
        } finally {
            endPoint.setIdleTimeout(idleTimeout.toMillis());
        }
    }

    /** The time a body may still take: until its deadline, or for the grace once the deadline has passed. */
    private static final class Window {

        private final Instant deadline;
        private Instant graceEnd;

        Window(Instant deadline) {
            this.deadline = deadline;
        }

        /** How long a read starting {@code now} may wait; zero when the body is out of time. */
        Duration waitFrom(Instant now) {
            if (now.isBefore(deadline)) {
                return Duration.between(now, deadline);
            }
            if (graceEnd == null) {
                graceEnd = now.plus(LATE_GRACE);
            }
            return now.isBefore(graceEnd) ? Duration.between(now, graceEnd) : Duration.ZERO;
        }
    }

    /**
     * Whether a read failed because the wait ran out (the idle timeout, shortened to the deadline), rather than because
     * the body broke off: Jetty reports a chunk size it cannot parse and a client that went away alike, as an early
     * end of the stream.
     */
    private static boolean timedOut(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof TimeoutException) {
                return true;
            }
        }
        return false;
    }

    /** When the request's headers arrived: Jetty's time stamp of the request, or now when there is none. */
    private Instant headersArrived(Request jetty) {
        long stamp = jetty == null ? 0 : jetty.getTimeStamp();
        return stamp > 0 ? Instant.ofEpochMilli(stamp) : clock.instant();
    }

    /**
     * Refuses a request whose {@code Content-Type} is not one value of the media type {@code expected} in UTF-8.
     *
     * <p>Two or more {@code Content-Type} field lines are {@code 400 bad-request} ({@link ContentTypeRepeated}): HTTP
     * defines the field as one value, not a list (RFC 9110, 5.3 and 8.3), so such a request is malformed whatever the
     * values say, and reading only the first would take a body its sender may have labelled otherwise.
     *
     * <p>Everything else about the one value is {@code 415 unsupported-media-type} ({@link UnsupportedMediaType}):
     * another media type, a {@code charset} other than UTF-8, a {@code charset} in the extended notation of RFC 8187
     * ({@code charset*=utf-8''x}, which the service does not read), and a value it cannot read at all because it
     * breaks the grammar of {@link ContentType}. The last is 415 and not 400 because RFC 9110 (15.5.16) gives 415 for
     * content whose format the server cannot accept as the {@code Content-Type} indicates it, and a value that cannot
     * be read indicates no format the route takes; the client's remedy is the same for all of them, to declare the
     * route's media type, and one problem type for every fault of the value keeps clients simple.
     *
     * @throws ContentTypeRepeated when the request has more than one {@code Content-Type}
     * @throws UnsupportedMediaType naming what was declared, what is wrong with it and what the route takes
     */
    static void requireMediaType(HttpServletRequest request, String expected) {
        List<String> declared = Collections.list(request.getHeaders(CONTENT_TYPE));
        if (declared.size() > 1) {
            throw new ContentTypeRepeated(declared);
        }
        if (declared.isEmpty() || declared.get(0).isBlank()) {
            throw UnsupportedMediaType.ofType(expected, null);
        }
        ContentType contentType;
        try {
            contentType = ContentType.parse(declared.get(0));
        } catch (ContentType.Unreadable e) {
            throw UnsupportedMediaType.unreadable(expected, declared.get(0), e.getMessage());
        }
        requireMediaType(contentType, expected);
    }

    /**
     * Refuses a {@code Content-Type} that is not {@code expected}, declares a charset other than UTF-8 or declares
     * one in a notation the service does not read.
     */
    static void requireMediaType(ContentType contentType, String expected) {
        if (!expected.equals(contentType.mediaType())) {
            throw UnsupportedMediaType.ofType(expected, contentType.mediaType());
        }
        for (ContentType.Parameter parameter : contentType.parameters()) {
            // charset*, charset*0, charset*0*: RFC 2231 and 8187 spell a charset parameter so, percent-encoded
            // after a charset of its own; a service that does not decode them must not take the body as UTF-8.
            if (parameter.name().startsWith(CHARSET + "*")) {
                throw UnsupportedMediaType.extendedCharset(expected, parameter.name());
            }
        }
        // JSON and NDJSON are UTF-8 (RFC 8259): a body in another charset would be read as other text than the
        // client meant, or refused as malformed, which would send the client looking for the fault in its JSON.
        for (String charset : contentType.values(CHARSET)) {
            if (!charset.equalsIgnoreCase(UTF_8)) {
                throw UnsupportedMediaType.ofCharset(expected, charset);
            }
        }
    }
}
