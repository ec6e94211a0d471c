package io.polyglot.command.intake;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** The registry of command types, by name. */
public final class CommandTypes {

    private final Map<String, CommandType> byName;

    private CommandTypes(Map<String, CommandType> byName) {
        this.byName = Map.copyOf(byName);
    }

    /** A registry of the given types; two types of the same name are a programming error. */
    public static CommandTypes of(CommandType... types) {
        Map<String, CommandType> byName = new LinkedHashMap<>();
        for (CommandType type : types) {
            if (byName.putIfAbsent(type.name(), type) != null) {
                throw new IllegalArgumentException("two command types are named " + type.name());
            }
        }
        return new CommandTypes(byName);
    }

    /** Every command type this issue ships. */
    public static CommandTypes standard() {
        return of(new RecordActivity());
    }

    public Optional<CommandType> find(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    public Set<String> names() {
        return byName.keySet();
    }
}
