package io.polyglot.testservers;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A TCP proxy on 127.0.0.1 in front of one Kafka listener on 127.0.0.1, for tests of what clients do when their
 * connections fail. It relays bytes both ways, one pair of plain threads per connection, and reads the two directions
 * as Kafka frames (a 4-byte size, then a request or a response whose header starts with the correlation id), so that
 * it can fail a connection at a chosen request:
 *
 * <ul>
 *   <li>{@link #cutAll()} closes every open connection at once;
 *   <li>{@link #cutAfterAnswer} relays the next matching request, lets the broker answer it, drops that answer and
 *       closes the connection: the broker has done what the client asked, and the client must retry it;
 *   <li>{@link #holdAnswer} relays the next matching request and withholds its answer and every later answer on that
 *       connection (the requests that follow are still relayed) until {@link #cutAll()} closes it.
 * </ul>
 *
 * No library does this on loopback without a container engine (Toxiproxy runs as its own server), hence this class.
 * Brokers must advertise the proxy's port (see {@code KafkaBroker.startAdvertising}), or clients bypass it after
 * bootstrap.
 */
public final class KafkaProxy implements AutoCloseable {

    /** The Produce request's API key in the Kafka protocol. */
    public static final short PRODUCE = 0;

    private static final Logger log = LoggerFactory.getLogger(KafkaProxy.class);
    private static final String HOST = "127.0.0.1";
    private static final int CONNECT_TIMEOUT_MS = 5_000;
    private static final int MAX_FRAME_BYTES = 256 * 1024 * 1024;

    private final ServerSocket server;
    private final int targetPort;
    private final Set<Link> links = ConcurrentHashMap.newKeySet();
    private final Queue<RequestHeader> relayed = new ConcurrentLinkedQueue<>();
    private final AtomicReference<Trap> cutAfterAnswer = new AtomicReference<>();
    private final AtomicReference<Trap> holdAnswer = new AtomicReference<>();
    private final AtomicInteger cuts = new AtomicInteger();
    private final AtomicInteger accepted = new AtomicInteger();
    private final Thread acceptor;
    private volatile boolean closed;

    /**
     * The header of a Kafka request as the proxy relayed it.
     *
     * @param apiKey which request (0 is Produce)
     * @param apiVersion the request's version
     * @param correlationId the number the client matches the answer with
     * @param clientId the client's {@code client.id}; empty when it sent none
     */
    public record RequestHeader(short apiKey, short apiVersion, int correlationId, String clientId) {

        /** Produce requests from clients whose {@code client.id} passes {@code clientId}. */
        public static Predicate<RequestHeader> produceFrom(Predicate<String> clientId) {
            return header -> header.apiKey() == PRODUCE && clientId.test(header.clientId());
        }
    }

    private KafkaProxy(ServerSocket server, int targetPort) {
        this.server = server;
        this.targetPort = targetPort;
        this.acceptor = new Thread(this::accept, "kafka-proxy-accept-" + server.getLocalPort());
        this.acceptor.setDaemon(true);
    }

    /**
     * Listens on a free port of 127.0.0.1 and relays every connection to {@code 127.0.0.1:targetPort}; the target
     * need not listen yet (connections made before it does are closed at once).
     */
    public static KafkaProxy start(int targetPort) {
        try {
            ServerSocket server = new ServerSocket(0, 50, InetAddress.getByName(HOST));
            KafkaProxy proxy = new KafkaProxy(server, targetPort);
            proxy.acceptor.start();
            log.info("Kafka proxy listening on {}:{} for port {}", HOST, server.getLocalPort(), targetPort);
            return proxy;
        } catch (IOException e) {
            throw new UncheckedIOException("could not listen on " + HOST, e);
        }
    }

    /** The port clients connect to. */
    public int port() {
        return server.getLocalPort();
    }

    /** The port connections are relayed to. */
    public int targetPort() {
        return targetPort;
    }

    /** Closes every open connection; returns how many it closed. */
    public int cutAll() {
        int count = 0;
        for (Link link : List.copyOf(links)) {
            if (link.cut()) {
                count++;
            }
        }
        log.info("Kafka proxy cut {} connections", count);
        return count;
    }

    /**
     * Arms a one-shot cut: the next request that {@code which} matches is relayed, and once the broker's answer to it
     * arrives the proxy drops that answer and closes the connection. The future completes with the request's header
     * when the connection has been cut.
     */
    public CompletableFuture<RequestHeader> cutAfterAnswer(Predicate<RequestHeader> which) {
        Trap trap = new Trap(which);
        if (!cutAfterAnswer.compareAndSet(null, trap)) {
            throw new IllegalStateException("a cut after an answer is already armed");
        }
        return trap.sprung;
    }

    /**
     * Arms a one-shot hold: the next request that {@code which} matches is relayed, and from its answer on nothing
     * the broker sends on that connection reaches the client until {@link #cutAll()} closes it. The future completes
     * with the request's header when that request has been relayed.
     */
    public CompletableFuture<RequestHeader> holdAnswer(Predicate<RequestHeader> which) {
        Trap trap = new Trap(which);
        if (!holdAnswer.compareAndSet(null, trap)) {
            throw new IllegalStateException("a hold is already armed");
        }
        return trap.sprung;
    }

    /** How many requests matching {@code which} the proxy has relayed so far. */
    public long relayed(Predicate<RequestHeader> which) {
        return relayed.stream().filter(which).count();
    }

    /** How many connections the proxy has cut so far, by {@link #cutAll()} or an armed cut. */
    public int cuts() {
        return cuts.get();
    }

    /** How many client connections the proxy has accepted so far. */
    public int accepted() {
        return accepted.get();
    }

    /** Stops listening and closes every connection. */
    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException e) {
            log.debug("Closing the proxy's listening socket failed", e);
        }
        links.forEach(Link::close);
        try {
            acceptor.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void accept() {
        while (!closed) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                if (!closed) {
                    log.warn("The Kafka proxy stopped accepting connections", e);
                }
                return;
            }
            accepted.incrementAndGet();
            Socket upstream = new Socket();
            try {
                upstream.connect(new InetSocketAddress(HOST, targetPort), CONNECT_TIMEOUT_MS);
            } catch (IOException e) {
                log.debug("Port {} refused a relayed connection", targetPort, e);
                closeQuietly(client);
                closeQuietly(upstream);
                continue;
            }
            Link link = new Link(client, upstream);
            links.add(link);
            link.start();
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            log.debug("Closing a relayed socket failed", e);
        }
    }

    /** What an armed cut or hold waits for. */
    private static final class Trap {
        final Predicate<RequestHeader> which;
        final CompletableFuture<RequestHeader> sprung = new CompletableFuture<>();
        volatile RequestHeader caught;

        Trap(Predicate<RequestHeader> which) {
            this.which = which;
        }
    }

    /** One client connection and its connection to the broker. */
    private final class Link {
        private final Socket client;
        private final Socket upstream;
        private final AtomicInteger closedOnce = new AtomicInteger();
        private final AtomicReference<Trap> cutOnAnswer = new AtomicReference<>();
        private final AtomicReference<Trap> holdOnAnswer = new AtomicReference<>();
        private volatile boolean holding;

        Link(Socket client, Socket upstream) {
            this.client = client;
            this.upstream = upstream;
        }

        void start() {
            String name = "kafka-proxy-" + client.getPort();
            Thread requests = new Thread(this::relayRequests, name + "-requests");
            Thread answers = new Thread(this::relayAnswers, name + "-answers");
            requests.setDaemon(true);
            answers.setDaemon(true);
            requests.start();
            answers.start();
        }

        private void relayRequests() {
            try (DataInputStream in = new DataInputStream(new BufferedInputStream(client.getInputStream()));
                    DataOutputStream out = new DataOutputStream(new BufferedOutputStream(upstream.getOutputStream()))) {
                while (true) {
                    byte[] frame = readFrame(in);
                    Optional<RequestHeader> header = RequestHeaders.parse(frame);
                    header.ifPresent(this::arm);
                    out.writeInt(frame.length);
                    out.write(frame);
                    out.flush();
                    header.ifPresent(relayed::add);
                    Trap hold = holdOnAnswer.get();
                    if (hold != null && header.isPresent() && hold.caught == header.get()) {
                        hold.sprung.complete(header.get());
                    }
                }
            } catch (IOException e) {
                log.debug("A relayed connection ended on the client's side", e);
            } finally {
                close();
            }
        }

        /** Moves an armed trap from the proxy to this connection when the request matches it. */
        private void arm(RequestHeader header) {
            take(cutAfterAnswer, header).ifPresent(trap -> cutOnAnswer.set(trap));
            take(holdAnswer, header).ifPresent(trap -> holdOnAnswer.set(trap));
        }

        private Optional<Trap> take(AtomicReference<Trap> armed, RequestHeader header) {
            Trap trap = armed.get();
            if (trap == null || !trap.which.test(header) || !armed.compareAndSet(trap, null)) {
                return Optional.empty();
            }
            trap.caught = header;
            return Optional.of(trap);
        }

        private void relayAnswers() {
            try (DataInputStream in = new DataInputStream(new BufferedInputStream(upstream.getInputStream()));
                    DataOutputStream out = new DataOutputStream(new BufferedOutputStream(client.getOutputStream()))) {
                while (true) {
                    byte[] frame = readFrame(in);
                    int correlationId =
                            frame.length >= 4 ? ByteBuffer.wrap(frame).getInt() : -1;
                    if (answers(holdOnAnswer.get(), correlationId)) {
                        holding = true;
                    }
                    if (holding) {
                        continue;
                    }
                    Trap cut = cutOnAnswer.get();
                    if (answers(cut, correlationId)) {
                        cut();
                        cut.sprung.complete(cut.caught);
                        return;
                    }
                    out.writeInt(frame.length);
                    out.write(frame);
                    out.flush();
                }
            } catch (IOException e) {
                log.debug("A relayed connection ended on the broker's side", e);
            } finally {
                close();
            }
        }

        private static boolean answers(Trap trap, int correlationId) {
            return trap != null && trap.caught != null && trap.caught.correlationId() == correlationId;
        }

        /** Closes both sides and counts the cut; false when the connection was already closed. */
        boolean cut() {
            if (closedOnce.get() != 0) {
                return false;
            }
            cuts.incrementAndGet();
            close();
            return true;
        }

        void close() {
            if (closedOnce.getAndIncrement() == 0) {
                closeQuietly(client);
                closeQuietly(upstream);
                links.remove(this);
            }
        }
    }

    private static byte[] readFrame(DataInputStream in) throws IOException {
        int size = in.readInt();
        if (size < 0 || size > MAX_FRAME_BYTES) {
            throw new SocketException("not a Kafka frame: size " + size);
        }
        byte[] frame = new byte[size];
        in.readFully(frame);
        return frame;
    }

    /** Reads the fields every Kafka request header starts with. */
    private static final class RequestHeaders {
        private RequestHeaders() {}

        static Optional<RequestHeader> parse(byte[] frame) {
            ByteBuffer buffer = ByteBuffer.wrap(frame);
            if (buffer.remaining() < 10) {
                return Optional.empty();
            }
            short apiKey = buffer.getShort();
            short apiVersion = buffer.getShort();
            int correlationId = buffer.getInt();
            short clientIdLength = buffer.getShort();
            if (clientIdLength > buffer.remaining()) {
                return Optional.empty();
            }
            String clientId = "";
            if (clientIdLength > 0) {
                byte[] bytes = new byte[clientIdLength];
                buffer.get(bytes);
                clientId = new String(bytes, StandardCharsets.UTF_8);
            }
            return Optional.of(new RequestHeader(apiKey, apiVersion, correlationId, clientId));
        }
    }
}
