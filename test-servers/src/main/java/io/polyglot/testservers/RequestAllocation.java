package io.polyglot.testservers;

import java.lang.management.ManagementFactory;

/**
 * What one request costs a server's request threads in heap allocation, read from the JVM's per-thread allocation
 * counters ({@code com.sun.management.ThreadMXBean}): for servers that run in the test's JVM.
 */
public final class RequestAllocation {

    /** A request sent and checked by the test. */
    @FunctionalInterface
    public interface Request {
        void send() throws Exception;
    }

    private RequestAllocation() {}

    /**
     * Sends {@code request} {@code warmUp} times unmeasured (so the JIT has compiled its path), then {@code measured}
     * times, and returns the bytes the threads whose names start with {@code threadPrefix} allocated per request over
     * the measured ones.
     */
    public static long perRequest(String threadPrefix, int warmUp, int measured, Request request) throws Exception {
        for (int i = 0; i < warmUp; i++) {
            request.send();
        }
        long before = allocatedBy(threadPrefix);
        for (int i = 0; i < measured; i++) {
            request.send();
        }
        return (allocatedBy(threadPrefix) - before) / measured;
    }

    private static long allocatedBy(String threadPrefix) {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        return Thread.getAllStackTraces().keySet().stream()
                .filter(thread -> thread.getName().startsWith(threadPrefix))
                .mapToLong(thread -> Math.max(0, threads.getThreadAllocatedBytes(thread.getId())))
                .sum();
    }
}
