package io.polyglot.command.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.polyglot.command.intake.Problem;
import io.polyglot.command.intake.ProblemType;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.handler.ErrorHandler;

/**
 * Answers the errors that Jetty raises itself, before a request reaches a route (a request line it cannot parse,
 * headers too large, a body too slow), with a problem body and never a stack trace.
 */
final class ProblemErrorHandler extends ErrorHandler {

    private final ObjectMapper json;

    ProblemErrorHandler(ObjectMapper json) {
        this.json = json;
        setShowStacks(false);
        setShowServlet(false);
    }

    @Override
    public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
        fields.put(new HttpField(HttpHeader.CONTENT_TYPE, ProblemJson.MEDIA_TYPE));
        return ByteBuffer.wrap(body(status));
    }

    @Override
    protected void generateAcceptableResponse(
            Request baseRequest, HttpServletRequest request, HttpServletResponse response, int code, String message)
            throws IOException {
        baseRequest.setHandled(true);
        response.setContentType(ProblemJson.MEDIA_TYPE);
        response.getOutputStream().write(body(code));
    }

    private byte[] body(int status) {
        ProblemType type = ProblemStatus.typeOf(status);
        String detail = "the server could not process the request (HTTP " + status + ")";
        try {
            return json.writeValueAsBytes(
                    ProblemJson.node(json, Problem.of(type, detail)).put("status", status));
        } catch (IOException e) {
            throw new IllegalStateException("a problem body could not be written", e);
        }
    }
}
