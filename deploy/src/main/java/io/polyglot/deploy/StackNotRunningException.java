package io.polyglot.deploy;

/**
 * A server of the local stack that a command needs does not answer on its kept port: the stack was stopped, or that
 * server died. The message names the server, where it should answer, and how to start the stack.
 */
public final class StackNotRunningException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    StackNotRunningException(String message) {
        super(message);
    }
}
