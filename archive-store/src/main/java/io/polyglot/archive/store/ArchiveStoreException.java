package io.polyglot.archive.store;

/**
 * A store operation failed. {@link #retriable()} tells whether trying again may succeed (the store was unreachable or
 * answered 5xx) or not (the store refused the request, or the archive itself is wrong).
 */
public class ArchiveStoreException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final boolean retriable;

    /** A failure; {@code retriable} says whether the same call may succeed later. */
    public ArchiveStoreException(String message, boolean retriable, Throwable cause) {
        super(message, cause);
        this.retriable = retriable;
    }

    /** Whether the same call may succeed later. */
    public boolean retriable() {
        return retriable;
    }
}
