package io.polyglot.command.http;

import org.eclipse.jetty.http.BadMessageException;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.HttpChannelOverHttp;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnection;
import org.eclipse.jetty.server.HttpConnectionFactory;

/**
 * HTTP/1.1 connections that answer a request Jetty cannot parse with a 4xx. Jetty answers an unknown protocol version
 * ({@code HTTP/9.9}) with 505; the service answers every mistake of a client with a 4xx problem and keeps 5xx for
 * its own failures (and 503 for Kafka), so such a request gets 400 {@code bad-request}.
 */
final class ClientErrorConnectionFactory extends HttpConnectionFactory {

    ClientErrorConnectionFactory(HttpConfiguration config) {
        super(config);
    }

    @Override
    public Connection newConnection(Connector connector, EndPoint endPoint) {
        HttpConnection connection = new ClientErrorConnection(
                getHttpConfiguration(), connector, endPoint, isRecordHttpComplianceViolations());
        connection.setUseInputDirectByteBuffers(isUseInputDirectByteBuffers());
        connection.setUseOutputDirectByteBuffers(isUseOutputDirectByteBuffers());
        return configure(connection, connector, endPoint);
    }

    private static final class ClientErrorConnection extends HttpConnection {

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
            };
        }
    }
}
