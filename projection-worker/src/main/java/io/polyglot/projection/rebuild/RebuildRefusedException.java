package io.polyglot.projection.rebuild;

/** A rebuild that cannot start as asked: another one runs, the log no longer starts at offset 0, a view is unknown. */
public class RebuildRefusedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public RebuildRefusedException(String message) {
        super(message);
    }
}
