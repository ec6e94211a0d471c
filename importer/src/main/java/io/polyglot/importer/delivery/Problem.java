package io.polyglot.importer.delivery;

/**
 * Why one command was rejected, from the command service's {@code application/problem+json} body or from the
 * importer itself.
 *
 * @param type the short problem name, e.g. {@code invalid-command} (the {@code urn:polyglot:problem:} prefix removed)
 * @param detail a sentence for people: the detail and, where given, the first field error with its pointer
 */
public record Problem(String type, String detail) {

    /** The prefix of every problem type the command service answers with. */
    public static final String TYPE_PREFIX = "urn:polyglot:problem:";

    /** The problem type when Kafka could not take the command: the command may be sent again. */
    public static final String KAFKA_UNAVAILABLE = "kafka-unavailable";

    /** The short name of a full problem type. */
    public static String shortType(String type) {
        if (type == null || type.isBlank()) {
            return "unknown";
        }
        return type.startsWith(TYPE_PREFIX) ? type.substring(TYPE_PREFIX.length()) : type;
    }

    /** Whether the same command may succeed when sent again. */
    public boolean isTransient() {
        return KAFKA_UNAVAILABLE.equals(type);
    }
}
