package io.polyglot.command.http;

import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.Optional;
import org.eclipse.jetty.http.BadMessageException;

/** Reads request bodies within a byte limit, and checks their media type. */
final class RequestBodies {

    private RequestBodies() {}

    /**
     * The whole body, refused with {@link BodyTooLargeException} as soon as it is known to be over {@code limit}: at
     * once when {@code Content-Length} says so, else after reading one byte past the limit.
     *
     * @throws BodyUnreadableException when the body stalls, trickles below the minimum rate or is cut off
     */
    static byte[] read(HttpServletRequest request, int limit) {
        long declared = request.getContentLengthLong();
        if (declared > limit) {
            throw new BodyTooLargeException("the body is " + declared + " bytes; at most " + limit + " are accepted");
        }
        byte[] body;
        try {
            InputStream in = request.getInputStream();
            body = in.readNBytes(limit + 1);
        } catch (IOException | BadMessageException e) {
            // Idle timeout, a body slower than the minimum rate, or a client that went away.
            throw new BodyUnreadableException("the body did not arrive in time or was cut off", e);
        }
        if (body.length > limit) {
            throw new BodyTooLargeException("the body is over the limit of " + limit + " bytes");
        }
        return body;
    }

    /** The media type of a {@code Content-Type} value, lower case and without parameters. */
    static Optional<String> mediaType(String contentType) {
        if (contentType == null) {
            return Optional.empty();
        }
        int semicolon = contentType.indexOf(';');
        String type = (semicolon < 0 ? contentType : contentType.substring(0, semicolon))
                .trim()
                .toLowerCase(Locale.ROOT);
        return type.isEmpty() ? Optional.empty() : Optional.of(type);
    }
}
