package io.polyglot.importer.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Ports on loopback for tests. */
public final class LoopbackPorts {

    private LoopbackPorts() {}

    /** A loopback port that was free a moment ago and that nothing listens on now: connecting to it is refused. */
    public static int unused() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
