package io.polyglot.dashboard.views;

/** A query parameter of a view request that cannot be honoured; the request answers 400 naming it. */
public final class BadParameterException extends RuntimeException {

    private final String parameter;

    public BadParameterException(String parameter, String message) {
        super(message);
        this.parameter = parameter;
    }

    /** The name of the parameter at fault, e.g. {@code sort}. */
    public String parameter() {
        return parameter;
    }
}
