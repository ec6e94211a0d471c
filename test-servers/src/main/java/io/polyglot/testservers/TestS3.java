package io.polyglot.testservers;

/** A real S3-compatible server for one test class, on a random loopback port. Clients use path-style addressing. */
public interface TestS3 extends AutoCloseable {

    /** {@code http://127.0.0.1:PORT}. */
    String endpoint();

    String region();

    String accessKey();

    String secretKey();

    /** Stops the server and frees what it holds. */
    @Override
    void close();
}
