package io.polyglot.command.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.polyglot.command.intake.Problem;
import io.polyglot.command.intake.ProblemType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.jetty.http.BadMessageException;
import org.eclipse.jetty.http.HttpParser;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.HttpChannelOverHttp;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnection;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * HTTP/1.1 connections that answer a request Jetty cannot parse with a 4xx, and cut a request whose headers trickle.
 *
 * <p>Jetty answers an unknown protocol version ({@code HTTP/9.9}) with 505; the service answers every mistake of a
 * client with a 4xx problem and keeps 5xx for its own failures (and 503 for Kafka), so such a request gets 400
 * {@code bad-request}.
 *
 * <p>Jetty 11 (the one Javalin 6 runs on) bounds headers only by size and by the idle timeout, which a client resets
 * with every byte: one byte every few seconds would hold the connection, and its slot under the connection limit, for
 * as long as the client likes. Its minimum request data rate covers the body alone. So each connection keeps a
 * deadline of its own ({@code HTTP_HEADER_TIMEOUT}) from the first byte of a request to the end of its headers; when it
 * passes, the connection gets 408 {@code request-timeout} and is closed. Between requests the idle timeout rules, as
 * before.
 */
final class ClientErrorConnectionFactory extends HttpConnectionFactory {

    private static final Logger LOG = LoggerFactory.getLogger(ClientErrorConnectionFactory.class);

    private final Duration headerTimeout;
    private final byte[] headerTimeoutAnswer;

    ClientErrorConnectionFactory(HttpConfiguration config, Duration headerTimeout, ObjectMapper json) {
        super(config);
        this.headerTimeout = headerTimeout;
        this.headerTimeoutAnswer = headerTimeoutAnswer(json, headerTimeout);
    }

    @Override
    public Connection newConnection(Connector connector, EndPoint endPoint) {
        HttpConnection connection = new ClientErrorConnection(
                getHttpConfiguration(), connector, endPoint, isRecordHttpComplianceViolations());
        connection.setUseInputDirectByteBuffers(isUseInputDirectByteBuffers());
        connection.setUseOutputDirectByteBuffers(isUseOutputDirectByteBuffers());
        return configure(connection, connector, endPoint);
    }

    /**
     * The whole answer to headers that missed their deadline, written straight to the socket: no request exists yet to
     * answer through.
     */
    private static byte[] headerTimeoutAnswer(ObjectMapper json, Duration headerTimeout) {
        Problem problem =
                Problem.of(ProblemType.REQUEST_TIMEOUT, "the request's headers were not whole within " + headerTimeout);
        byte[] body;
        try {
            body = json.writeValueAsBytes(
                    ProblemJson.node(json, problem).put("status", ProblemType.REQUEST_TIMEOUT.status()));
        } catch (IOException e) {
            throw new IllegalStateException("a problem body could not be written", e);
        }
        byte[] head = ("HTTP/1.1 408 Request Timeout\r\nContent-Type: " + ProblemJson.MEDIA_TYPE
                        + "\r\nContent-Length: " + body.length + "\r\nConnection: close\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        byte[] answer = Arrays.copyOf(head, head.length + body.length);
        System.arraycopy(body, 0, answer, head.length, body.length);
        return answer;
    }

    private final class ClientErrorConnection extends HttpConnection {

        /** The pending deadline of the headers being read, or null when no request's headers are under way. */
        private final AtomicReference<Scheduler.Task> headerDeadline = new AtomicReference<>();

        ClientErrorConnection(
                HttpConfiguration config, Connector connector, EndPoint endPoint, boolean recordViolations) {
            super(config, connector, endPoint, recordViolations);
        }

        @Override
        protected HttpChannelOverHttp newHttpChannel() {
            return new HttpChannelOverHttp(this, getConnector(), getHttpConfiguration(), getEndPoint(), this) {
                @Override
                public void onBadMessage(BadMessageException failure) {
                    super.onBadMessage(
                            failure.getCode() >= HttpStatus.INTERNAL_SERVER_ERROR_500
                                    ? new BadMessageException(HttpStatus.BAD_REQUEST_400, failure.getReason(), failure)
                                    : failure);
                }

                @Override
                public boolean headerComplete() {
                    cancelHeaderDeadline();
                    return super.headerComplete();
                }
            };
        }

        /**
         * Reads and parses what arrived, as Jetty does; then, when it stopped in the middle of a request's headers
         * (Jetty waits for more bytes), starts that request's header deadline unless it runs already.
         */
        @Override
        public void onFillable() {
            super.onFillable();
            HttpParser parser = getParser();
            if (parser.inHeaderState() && !parser.isStart() && getEndPoint().isOpen()) {
                if (headerDeadline.get() == null) {
                    Scheduler.Task task = getConnector()
                            .getScheduler()
                            .schedule(this::headersTooSlow, headerTimeout.toMillis(), TimeUnit.MILLISECONDS);
                    if (!headerDeadline.compareAndSet(null, task)) {
                        task.cancel();
                    }
                }
            } else {
                cancelHeaderDeadline();
            }
        }

        @Override
        public void onClose(Throwable cause) {
            cancelHeaderDeadline();
            super.onClose(cause);
        }

        private void cancelHeaderDeadline() {
            Scheduler.Task task = headerDeadline.getAndSet(null);
            if (task != null) {
                task.cancel();
            }
        }

        /**
         * The deadline passed with the headers unfinished: answer 408 and close. Nothing else writes to the connection
         * then, since Jetty parses a request only once the one before it is answered.
         */
        private void headersTooSlow() {
            if (headerDeadline.getAndSet(null) == null) {
                return;
            }
            LOG.debug("Closing {}: its request's headers were not whole within {}", getEndPoint(), headerTimeout);
            EndPoint endPoint = getEndPoint();
            endPoint.write(
                    Callback.from(endPoint::close, failure -> endPoint.close()), ByteBuffer.wrap(headerTimeoutAnswer));
        }
    }
}
