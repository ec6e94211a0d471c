package io.polyglot.testservers;

/** A real Kafka broker for one test class, on a random loopback port. */
public interface TestKafka extends AutoCloseable {

    /** {@code host:port} of the broker's plaintext listener. */
    String bootstrapServers();

    /** Stops the broker and frees what it holds. */
    @Override
    void close();
}
