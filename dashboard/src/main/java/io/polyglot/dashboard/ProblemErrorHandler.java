package io.polyglot.dashboard;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.handler.ErrorHandler;

/**
 * Jetty's answers to requests it refuses before the dashboard sees them (a path with a bad escape or a NUL, a URI
 * or headers over the limit), as {@code application/problem+json} like every other answer, instead of Jetty's HTML.
 */
final class ProblemErrorHandler extends ErrorHandler {

    private final ObjectMapper json;

    ProblemErrorHandler(ObjectMapper json) {
        this.json = json;
    }

    /** The answer to a request Jetty could not parse at all; it has no servlet response to write to. */
    @Override
    public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
        fields.put(HttpHeader.CONTENT_TYPE, Problems.MEDIA_TYPE);
        return ByteBuffer.wrap(body(status, reason).getBytes(StandardCharsets.UTF_8));
    }

    @Override
    protected void generateAcceptableResponse(
            Request baseRequest, HttpServletRequest request, HttpServletResponse response, int code, String message)
            throws IOException {
        baseRequest.setHandled(true);
        response.setContentType(Problems.MEDIA_TYPE);
        byte[] body = body(code, message).getBytes(StandardCharsets.UTF_8);
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
    }

    private String body(int status, String reason) {
        String title = HttpStatus.getMessage(status);
        return json.createObjectNode()
                .put("type", Problems.PREFIX + type(status))
                .put("title", title)
                .put("status", status)
                .put("detail", reason == null || reason.isBlank() ? title : reason)
                .toString();
    }

    private static String type(int status) {
        return switch (status) {
            // a broken escape or an escaped NUL in the path, as the command service types Jetty's own refusals
            case 400 -> "bad-request";
            case 414 -> "uri-too-long";
            case 431 -> "headers-too-large";
            default -> "http-" + status;
        };
    }
}
