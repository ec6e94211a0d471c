package io.polyglot.dashboard.views;

/** A view name outside the documented read-model views; the request answers 404. */
public final class UnknownViewException extends RuntimeException {

    public UnknownViewException(String view) {
        super("there is no view named " + view + "; the views are " + String.join(", ", ViewCatalog.VIEWS));
    }
}
