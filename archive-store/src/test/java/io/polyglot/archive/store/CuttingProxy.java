package io.polyglot.archive.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy on 127.0.0.1 in front of a server on 127.0.0.1 that cuts one connection once: after the client has sent
 * {@code cutAfterBytes} bytes on it, both sockets are closed in the middle of the request. Every later connection is
 * passed through untouched. A real S3 server cannot be told to drop a connection half-way through a body, which is
 * why the tests put this in front of one.
 */
final class CuttingProxy implements AutoCloseable {

    private final ServerSocket listener;
    private final int targetPort;
    private final long cutAfterBytes;
    private final AtomicBoolean cutDone = new AtomicBoolean();
    private final AtomicInteger connections = new AtomicInteger();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final Thread acceptor;

    private CuttingProxy(int targetPort, long cutAfterBytes) throws IOException {
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.targetPort = targetPort;
        this.cutAfterBytes = cutAfterBytes;
        this.acceptor = new Thread(this::accept, "cutting-proxy-" + listener.getLocalPort());
        acceptor.setDaemon(true);
    }

    /** Starts a proxy to {@code 127.0.0.1:targetPort} that cuts the first request body after that many bytes. */
    static CuttingProxy start(int targetPort, long cutAfterBytes) throws IOException {
        CuttingProxy proxy = new CuttingProxy(targetPort, cutAfterBytes);
        proxy.acceptor.start();
        return proxy;
    }

    /** {@code http://127.0.0.1:PORT} of the proxy. */
    String endpoint() {
        return "http://127.0.0.1:" + listener.getLocalPort();
    }

    /** Whether a connection was cut. */
    boolean cut() {
        return cutDone.get();
    }

    /** How many connections clients opened through the proxy. */
    int connections() {
        return connections.get();
    }

    @Override
    public void close() throws IOException {
        listener.close();
        for (Socket socket : sockets) {
            socket.close();
        }
    }

    private void accept() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                connections.incrementAndGet();
                Socket server = new Socket();
                server.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort));
                sockets.add(client);
                sockets.add(server);
                pump(client, server, true);
                pump(server, client, false);
            } catch (IOException e) {
                // The listener was closed, or the target refused one connection: the client sees that connection fail.
                if (listener.isClosed()) {
                    return;
                }
            }
        }
    }

    private void pump(Socket from, Socket to, boolean fromClient) {
        Thread thread = new Thread(() -> copy(from, to, fromClient), "cutting-proxy-pump");
        thread.setDaemon(true);
        thread.start();
    }

    private void copy(Socket from, Socket to, boolean fromClient) {
        byte[] buffer = new byte[8192];
        long sent = 0;
        try (InputStream in = from.getInputStream();
                OutputStream out = to.getOutputStream()) {
            int read;
            while ((read = in.read(buffer)) >= 0) {
                if (fromClient && sent + read > cutAfterBytes && cutDone.compareAndSet(false, true)) {
                    int allowed = (int) Math.max(0, cutAfterBytes - sent);
                    out.write(buffer, 0, allowed);
                    out.flush();
                    from.close();
                    to.close();
                    return;
                }
                out.write(buffer, 0, read);
                out.flush();
                sent += read;
            }
        } catch (IOException e) {
            // One side closed: the other one is closed below, as a real network would end the connection.
        } finally {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // Already closed; nothing else holds it.
        }
    }
}
