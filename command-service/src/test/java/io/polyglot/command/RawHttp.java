package io.polyglot.command;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * Speaks HTTP/1.1 over a plain socket, for the requests a well-behaved client cannot make: stalled bodies, bodies
 * announced but never sent, oversized headers.
 */
final class RawHttp {

    private RawHttp() {}

    /**
     * Sends {@code request} as is, then reads until the server closes the connection (or 15 seconds pass without a
     * byte).
     */
    static String exchange(int port, String request) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(15_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.UTF_8));
            socket.getOutputStream().flush();
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
