package io.polyglot.deploy;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * One process of the local stack as {@code ./polyglot status} shows it.
 *
 * @param name the component, e.g. {@code kafka} or {@code command-service}
 * @param pid its process id, or {@code null} when it does not run
 * @param port the port it serves on (the health port of a worker)
 * @param health whether it runs and answers
 * @param projection for the projection worker, how far it is behind the log (lag and age of the last applied event);
 *     null for the others and when its metrics do not answer
 */
public record ComponentStatus(
        String name,
        Long pid,
        int port,
        Health health,
        @JsonInclude(JsonInclude.Include.NON_NULL) ProjectionProgress projection) {

    public ComponentStatus(String name, Long pid, int port, Health health) {
        this(name, pid, port, health, null);
    }

    /** {@code up}: runs and answers; {@code unhealthy}: runs but does not answer (yet); {@code down}: not running. */
    public enum Health {
        UP,
        UNHEALTHY,
        DOWN;

        @JsonValue
        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }
}
