package io.polyglot.schemas;

/**
 * Size limits shared by the HTTP layer, the producers and the topics, so that nothing the HTTP layer accepts can be
 * refused by the broker.
 */
public final class Limits {

    /** The largest {@code COMMAND_MAX_BYTES} a service accepts: 16 MiB. */
    public static final int COMMAND_MAX_BYTES_UPPER_BOUND = 16 * 1_048_576;

    /** Default upper bound of a command's payload in single-object encoding: 1 MiB. */
    public static final int DEFAULT_COMMAND_MAX_BYTES = 1_048_576;

    /**
     * Fixed room above the payload for the envelope (ids of at most 256 characters each), the record headers and the
     * batch framing.
     */
    public static final int ENVELOPE_HEADROOM = 65_536;

    private Limits() {}

    /** The topics' {@code max.message.bytes} and the producers' {@code max.request.size} for a payload bound. */
    public static int recordMaxBytes(int commandMaxBytes) {
        if (commandMaxBytes <= 0) {
            throw new IllegalArgumentException("commandMaxBytes must be positive, was " + commandMaxBytes);
        }
        return Math.addExact(commandMaxBytes, ENVELOPE_HEADROOM);
    }
}
