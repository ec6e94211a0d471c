package io.polyglot.testservers;

import io.polyglot.stack.FreePorts;
import io.polyglot.stack.KafkaBroker;
import java.nio.file.Path;

/**
 * A real Kafka broker that clients reach only through a {@link KafkaProxy}: the broker advertises the proxy's port, so
 * bootstrap and every later connection go through it. The broker can be stopped and started again on the same port
 * and data folder while the proxy keeps its port, the way a broker restarts behind a fixed address.
 *
 * <p>This is always the project's own launcher, whatever {@link TestServers#kind()} says: a test of connection faults
 * needs the broker's advertised listener and its process in hand, which a container does not give.
 */
public final class ProxiedKafka implements TestKafka {

    private final Path dataDir;
    private final int brokerPort;
    private final KafkaProxy proxy;
    private volatile KafkaBroker broker;

    private ProxiedKafka(Path dataDir, int brokerPort, KafkaProxy proxy, KafkaBroker broker) {
        this.dataDir = dataDir;
        this.brokerPort = brokerPort;
        this.proxy = proxy;
        this.broker = broker;
    }

    /** Starts the proxy, then the broker behind it, keeping the broker's data in {@code dataDir}. */
    public static ProxiedKafka start(Path dataDir) {
        int brokerPort = FreePorts.pick();
        KafkaProxy proxy = KafkaProxy.start(brokerPort);
        try {
            KafkaBroker broker = KafkaBroker.startAdvertising(dataDir, brokerPort, proxy.port());
            return new ProxiedKafka(dataDir, brokerPort, proxy, broker);
        } catch (RuntimeException e) {
            proxy.close();
            throw e;
        }
    }

    /** The proxy's address: the only one clients are given. */
    @Override
    public String bootstrapServers() {
        return "127.0.0.1:" + proxy.port();
    }

    /** The proxy every client connection goes through. */
    public KafkaProxy proxy() {
        return proxy;
    }

    /** The broker running now. */
    public KafkaBroker broker() {
        return broker;
    }

    /** Stops the broker gracefully; the proxy keeps listening and closes the connections it can no longer relay. */
    public void stopBroker() {
        broker.close();
    }

    /** Kills the broker at once (SIGKILL), as a crash would; the proxy keeps listening. */
    public void killBroker() {
        broker.kill();
    }

    /** Starts the broker again on the same port and data folder, behind the same proxy. */
    public void restartBroker() {
        if (broker.isRunning()) {
            throw new IllegalStateException("the broker still runs: " + broker);
        }
        broker = KafkaBroker.startAdvertising(dataDir, brokerPort, proxy.port());
    }

    /** Stops the broker (if it runs) and the proxy. */
    @Override
    public void close() {
        try {
            if (broker.isRunning()) {
                broker.close();
            }
        } finally {
            proxy.close();
        }
    }
}
