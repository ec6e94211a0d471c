package io.polyglot.deploy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The JVM options the local stack starts its services with, beyond its own: options for every service, then options per
 * service module ({@code command-service}, {@code archiver-worker}, {@code projection-worker}, {@code dashboard}),
 * which come later on the command line and so win where they contradict. A heap limit among them ({@code -Xmx...} or
 * {@code -XX:MaxHeapSize=...}) replaces the stack's default heap instead of following it.
 *
 * <p>{@code ./polyglot up} reads them from {@code POLYGLOT_JAVA_OPTIONS} and {@code POLYGLOT_<MODULE>_JAVA_OPTIONS}
 * (the module upper-cased, {@code -} as {@code _}: {@code POLYGLOT_COMMAND_SERVICE_JAVA_OPTIONS}), split at white
 * space; a program such as the bench passes them to {@link PolyglotStack#withJavaOptions(JavaOptions)}. They apply
 * to the services the stack starts from then on; a service that already runs keeps its options.
 *
 * @param everyService options given to each service
 * @param byModule options given to the services of one module, after {@code everyService}
 */
public record JavaOptions(List<String> everyService, Map<String, List<String>> byModule) {
    /** The environment variable of the options for every service. */
    public static final String EVERY_SERVICE_VARIABLE = "POLYGLOT_JAVA_OPTIONS";

    private static final List<String> MODULES =
            List.of("command-service", "archiver-worker", "projection-worker", "dashboard");

    public JavaOptions {
        everyService = List.copyOf(everyService);
        Map<String, List<String>> copy = new LinkedHashMap<>();
        byModule.forEach((module, options) -> copy.put(module, List.copyOf(options)));
        byModule = Map.copyOf(copy);
    }

    /** No options beyond the stack's own. */
    public static JavaOptions none() {
        return new JavaOptions(List.of(), Map.of());
    }

    /** The options {@code POLYGLOT_JAVA_OPTIONS} and {@code POLYGLOT_<MODULE>_JAVA_OPTIONS} of {@code environment}. */
    public static JavaOptions fromEnvironment(Map<String, String> environment) {
        Map<String, List<String>> byModule = new LinkedHashMap<>();
        for (String module : MODULES) {
            List<String> options = words(environment.get(variable(module)));
            if (!options.isEmpty()) {
                byModule.put(module, options);
            }
        }
        return new JavaOptions(words(environment.get(EVERY_SERVICE_VARIABLE)), byModule);
    }

    /** The environment variable of the options for the services of {@code module}. */
    public static String variable(String module) {
        return "POLYGLOT_" + module.toUpperCase(Locale.ROOT).replace('-', '_') + "_JAVA_OPTIONS";
    }

    /** These options with {@code options} added for the services of {@code module}. */
    public JavaOptions with(String module, List<String> options) {
        Map<String, List<String>> more = new LinkedHashMap<>(byModule);
        List<String> merged = new ArrayList<>(more.getOrDefault(module, List.of()));
        merged.addAll(options);
        more.put(module, merged);
        return new JavaOptions(everyService, more);
    }

    /** The options of a service of {@code module}, in command-line order. */
    public List<String> of(String module) {
        List<String> options = new ArrayList<>(everyService);
        options.addAll(byModule.getOrDefault(module, List.of()));
        return List.copyOf(options);
    }

    /** Whether {@code options} set a heap limit, so that the stack's default one is left out. */
    static boolean limitsHeap(List<String> options) {
        return options.stream().anyMatch(option -> option.startsWith("-Xmx") || option.startsWith("-XX:MaxHeapSize="));
    }

    private static List<String> words(String value) {
        if (value == null || value.isBlank()) {
            return List.of();
        }
        return List.of(value.strip().split("\\s+"));
    }
}
