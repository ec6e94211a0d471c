package io.polyglot.command;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Speaks HTTP/1.1 over a plain socket, for the requests a well-behaved client cannot make: stalled bodies, bodies
 * announced but never sent, oversized headers, broken framing.
 */
final class RawHttp {

    /** The request line and first headers of a {@code POST /v1/commands} of JSON, for a test to finish. */
    static final String POST_COMMAND =
            "POST /v1/commands HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n";

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

    /** A socket to the server on loopback, reads bounded by {@code readTimeoutMillis}. */
    static Socket connect(int port, int readTimeoutMillis) throws IOException {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), port);
        socket.setSoTimeout(readTimeoutMillis);
        return socket;
    }

    /** One answer read off a socket: its status, header lines and body (de-chunked). */
    record Answer(int status, List<String> headerLines, byte[] body) {

        /** The first value of header {@code name}, compared without case. */
        Optional<String> header(String name) {
            String prefix = name.toLowerCase(Locale.ROOT) + ":";
            return headerLines.stream()
                    .filter(line -> line.toLowerCase(Locale.ROOT).startsWith(prefix))
                    .map(line -> line.substring(prefix.length()).trim())
                    .findFirst();
        }

        String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    /**
     * Reads one answer: the status line, the headers, then a body of {@code Content-Length} bytes, a chunked body, or
     * everything up to the end of the stream. Empty when the server closed the connection before a status line.
     *
     * @throws IOException when the connection breaks or a read times out in the middle of an answer
     */
    static Optional<Answer> readAnswer(InputStream in) throws IOException {
        String statusLine = line(in);
        if (statusLine == null) {
            return Optional.empty();
        }
        String[] parts = statusLine.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/")) {
            throw new IOException("not an HTTP status line: " + statusLine);
        }
        int status = Integer.parseInt(parts[1]);
        List<String> headers = new ArrayList<>();
        for (String header = line(in); header != null && !header.isEmpty(); header = line(in)) {
            headers.add(header);
        }
        Answer head = new Answer(status, headers, new byte[0]);
        Optional<String> length = head.header("Content-Length");
        byte[] body;
        if (length.isPresent()) {
            body = in.readNBytes(Integer.parseInt(length.get()));
        } else if (head.header("Transfer-Encoding")
                .map(te -> te.contains("chunked"))
                .orElse(false)) {
            body = chunked(in);
        } else {
            body = in.readAllBytes();
        }
        return Optional.of(new Answer(status, headers, body));
    }

    private static byte[] chunked(InputStream in) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            String size = line(in);
            if (size == null) {
                throw new IOException("the chunked body ended early");
            }
            int semicolon = size.indexOf(';');
            int bytes = Integer.parseInt((semicolon < 0 ? size : size.substring(0, semicolon)).trim(), 16);
            if (bytes == 0) {
                for (String trailer = line(in); trailer != null && !trailer.isEmpty(); trailer = line(in)) {
                    // Trailers carry nothing the tests look at.
                }
                return body.toByteArray();
            }
            body.write(in.readNBytes(bytes));
            line(in);
        }
    }

    /** One line without its CRLF (or LF); null at the end of the stream before any byte. */
    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0) {
            if (b == '\n') {
                byte[] bytes = line.toByteArray();
                int end = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, end, StandardCharsets.ISO_8859_1);
            }
            line.write(b);
        }
        return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
    }
}
