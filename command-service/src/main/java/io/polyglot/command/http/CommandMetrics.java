package io.polyglot.command.http;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/** {@code polyglot_commands_total{type,status}}: every command answered, by command type and outcome. */
final class CommandMetrics {

    static final String ACCEPTED = "accepted";
    static final String REJECTED = "rejected";
    static final String FAILED = "failed";
    static final String PENDING = "pending";

    private final MeterRegistry registry;

    CommandMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** Counts one command; {@code type} is a registered command type or {@code unknown}, so tags stay few. */
    void count(String type, String status) {
        Counter.builder("polyglot.commands")
                .description("Commands answered, by command type and status (accepted, rejected, failed, pending)")
                .tag("type", type)
                .tag("status", status)
                .register(registry)
                .increment();
    }
}
