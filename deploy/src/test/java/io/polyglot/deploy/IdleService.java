package io.polyglot.deploy;

/**
 * A stand-in for a service's jar in {@link ServiceJavaOptionsTest}: a program that runs until it is stopped, so the
 * test can read the command line the stack started it with without Kafka, PostgreSQL or S3 around it.
 */
public final class IdleService {
    private static final Object FOREVER = new Object();

    private IdleService() {}

    public static void main(String[] args) throws InterruptedException {
        synchronized (FOREVER) {
            while (true) {
                FOREVER.wait();
            }
        }
    }
}
