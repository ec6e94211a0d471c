package io.polyglot.dashboard.events;

/** Something a request of the events or dead-letter pages names does not exist; the request answers 404. */
public final class NotFoundException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public NotFoundException(String message) {
        super(message);
    }
}
