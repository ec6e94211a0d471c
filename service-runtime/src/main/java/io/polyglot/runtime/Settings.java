package io.polyglot.runtime;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;

/** The resolved settings of one service process, read from its environment and validated all at once. */
public final class Settings {

    private static final String MASK = "****";

    private final Map<String, String> env;
    private final Map<Setting<?>, Object> values;
    private final Map<Setting<?>, String> sources;

    private Settings(Map<String, String> env, Map<Setting<?>, Object> values, Map<Setting<?>, String> sources) {
        this.env = env;
        this.values = values;
        this.sources = sources;
    }

    /**
     * Resolves every declared setting from {@code env}.
     *
     * @throws InvalidSettingException listing every setting that is missing or cannot be parsed, with the reason
     */
    public static Settings load(Map<String, String> env, List<Setting<?>> declared) {
        Map<Setting<?>, Object> values = new LinkedHashMap<>();
        Map<Setting<?>, String> sources = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        for (Setting<?> setting : declared) {
            String raw = env.get(setting.name());
            String source = "environment";
            if (raw == null || raw.isBlank()) {
                raw = setting.defaultText();
                source = "default";
            }
            if (raw == null) {
                problems.add(setting.name() + " is required: " + setting.doc());
                continue;
            }
            try {
                values.put(setting, setting.parse(raw));
                sources.put(setting, source);
            } catch (IllegalArgumentException e) {
                String shown = setting.isSecret() ? MASK : "'" + raw + "'";
                problems.add(setting.name() + "=" + shown + " is invalid: " + e.getMessage());
            }
        }
        if (!problems.isEmpty()) {
            throw new InvalidSettingException("invalid settings: " + String.join("; ", problems));
        }
        return new Settings(Map.copyOf(env), values, sources);
    }

    /** The value of a declared setting. */
    @SuppressWarnings("unchecked")
    public <T> T get(Setting<T> setting) {
        if (!values.containsKey(setting)) {
            throw new IllegalArgumentException(setting.name() + " was not declared when these settings were loaded");
        }
        return (T) values.get(setting);
    }

    /** Logs every resolved setting, one line, secrets masked (an empty one says so). */
    public void logResolved(Logger log) {
        StringBuilder line = new StringBuilder();
        values.forEach((setting, value) -> {
            if (!line.isEmpty()) {
                line.append(", ");
            }
            line.append(setting.name()).append('=').append(setting.isSecret() ? masked(value) : value);
            if ("default".equals(sources.get(setting))) {
                line.append(" (default)");
            }
        });
        log.info("Settings resolved: {}", line);
    }

    /** A secret as the log shows it: masked when it has a value, said to be empty when it has none. */
    private static String masked(Object secret) {
        return secret == null || secret.toString().isEmpty() ? "(empty)" : MASK;
    }

    /**
     * Kafka client properties passed through the environment: with prefix {@code KAFKA_PRODUCER_}, {@code
     * KAFKA_PRODUCER_LINGER_MS=5} becomes {@code linger.ms=5}.
     */
    public Map<String, Object> kafkaPassThrough(String prefix) {
        Map<String, Object> properties = new TreeMap<>();
        env.forEach((key, value) -> {
            if (key.startsWith(prefix) && key.length() > prefix.length()) {
                String property =
                        key.substring(prefix.length()).toLowerCase(Locale.ROOT).replace('_', '.');
                properties.put(property, value);
            }
        });
        return properties;
    }
}
