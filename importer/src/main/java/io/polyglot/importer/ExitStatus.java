package io.polyglot.importer;

/** The importer's exit statuses, as scripts see them. */
public final class ExitStatus {

    /** Every event read was accepted. */
    public static final int OK = 0;

    /**
     * The import ran through, but some events were rejected, locally or by the command service, or were still not
     * decided after the last attempt.
     */
    public static final int REJECTED = 1;

    /** The command line is wrong: a missing or contradictory option, a file that cannot be opened. */
    public static final int USAGE = 2;

    /** The command service was unreachable or stayed unavailable through every retry, or refused the requests. */
    public static final int COMMAND_SERVICE_FAILED = 3;

    /**
     * The log file breaks its format, or a gzipped log is truncated or corrupt; the events read before the fault were
     * sent.
     */
    public static final int MALFORMED_LOG = 4;

    /** The importer itself failed unexpectedly: a bug, reported with its stack trace. */
    public static final int FAILED = 5;

    private ExitStatus() {}
}
