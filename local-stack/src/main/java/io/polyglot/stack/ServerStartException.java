package io.polyglot.stack;

/**
 * A server of the local stack could not be started, reached or stopped. Not retriable as such: the message says what
 * to fix (a missing binary, a port in use, a data folder written by another user), and the server's log file holds
 * the details.
 */
public class ServerStartException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ServerStartException(String message) {
        super(message);
    }

    public ServerStartException(String message, Throwable cause) {
        super(message, cause);
    }
}
