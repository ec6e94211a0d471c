package io.polyglot.testservers;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A TCP relay on loopback in front of a real server that can stall: while stalled it keeps every connection open and
 * accepts new ones, but forwards no byte in either direction, the way a store or a network that hangs behaves (no
 * error, no answer). Bytes read meanwhile are held and forwarded once it is resumed.
 *
 * <p>A real server cannot be made to hang like this on loopback without a container engine, hence this class; it
 * relays bytes only and knows no protocol.
 */
public final class StallingRelay implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(StallingRelay.class);
    private static final int BUFFER_BYTES = 16 * 1024;

    private final ServerSocket server;
    private final int targetPort;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final Object gate = new Object();
    private final Thread acceptor;
    private boolean stalled;
    private volatile boolean closed;

    private StallingRelay(ServerSocket server, int targetPort) {
        this.server = server;
        this.targetPort = targetPort;
        this.acceptor = new Thread(this::accept, "stalling-relay-" + server.getLocalPort());
        this.acceptor.setDaemon(true);
    }

    /** A relay on a free loopback port that forwards to {@code targetPort} on loopback. */
    public static StallingRelay start(int targetPort) {
        try {
            ServerSocket server = new ServerSocket();
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            StallingRelay relay = new StallingRelay(server, targetPort);
            relay.acceptor.start();
            return relay;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open a relay on loopback", e);
        }
    }

    /** The port clients connect to. */
    public int port() {
        return server.getLocalPort();
    }

    /** From now on no byte is forwarded until {@link #resume()}; connections stay open. */
    public void stall() {
        synchronized (gate) {
            stalled = true;
        }
        log.info("Relay {} -> {} stalled", port(), targetPort);
    }

    /** Forwards again, the bytes held first. */
    public void resume() {
        synchronized (gate) {
            stalled = false;
            gate.notifyAll();
        }
        log.info("Relay {} -> {} resumed", port(), targetPort);
    }

    @Override
    public void close() {
        closed = true;
        resume();
        try {
            server.close();
        } catch (IOException e) {
            log.debug("Closing the relay's server socket failed", e);
        }
        sockets.forEach(StallingRelay::closeQuietly);
    }

    private void accept() {
        while (!closed) {
            try {
                Socket client = server.accept();
                Socket target = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                sockets.add(client);
                sockets.add(target);
                pump(client, target, "up");
                pump(target, client, "down");
            } catch (IOException e) {
                if (!closed) {
                    log.warn("Relay {} cannot take a connection: {}", port(), e.toString());
                }
            }
        }
    }

    private void pump(Socket from, Socket to, String direction) {
        Thread thread = new Thread(
                () -> {
                    byte[] buffer = new byte[BUFFER_BYTES];
                    try (InputStream in = from.getInputStream();
                            OutputStream out = to.getOutputStream()) {
                        int read;
                        while ((read = in.read(buffer)) >= 0) {
                            awaitFlowing();
                            out.write(buffer, 0, read);
                            out.flush();
                        }
                    } catch (SocketException e) {
                        log.trace("Relay connection closed ({})", direction);
                    } catch (IOException | InterruptedException e) {
                        log.debug("Relay connection ended ({}): {}", direction, e.toString());
                    } finally {
                        closeQuietly(from);
                        closeQuietly(to);
                        sockets.remove(from);
                        sockets.remove(to);
                    }
                },
                "stalling-relay-" + port() + "-" + direction);
        thread.setDaemon(true);
        thread.start();
    }

    private void awaitFlowing() throws InterruptedException {
        synchronized (gate) {
            while (stalled) {
                gate.wait();
            }
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            log.trace("Closing a relay socket failed", e);
        }
    }
}
