package io.polyglot.dashboard.seed;

import io.polyglot.dashboard.ProblemException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * What the Seed page asks of the importer besides the file: the aggregate type and, for a CSV log, the column mapping.
 * Each value becomes one {@code --option=value} argument, so no value can pass for another option.
 *
 * @param aggregateType the {@code --type} of every command
 * @param csvFlags the CSV mapping by importer option ({@code case-column}, {@code time-column}, ...), given ones only
 */
public record SeedOptions(String aggregateType, Map<String, String> csvFlags) {

    /** The CSV mapping fields of the form, by importer option. */
    static final Map<String, String> CSV_FIELDS = csvFields();

    private static final Pattern AGGREGATE_TYPE = Pattern.compile("^[A-Z][A-Za-z0-9]{0,63}$");
    private static final int LONGEST_VALUE = 256;

    /**
     * The options of a form, checked for a log named {@code fileName}.
     *
     * @throws ProblemException 400 naming the field at fault
     */
    public static SeedOptions from(Function<String, String> form, String fileName) {
        String type = value(form, "type");
        if (type == null) {
            throw ProblemException.badParameter("type", "the aggregate type is missing");
        }
        if (!AGGREGATE_TYPE.matcher(type).matches()) {
            throw ProblemException.badParameter("type", "'" + type + "' is not an aggregate type: " + AGGREGATE_TYPE);
        }
        Map<String, String> flags = new LinkedHashMap<>();
        CSV_FIELDS.forEach((field, option) -> {
            String value = value(form, field);
            if (value != null && !isCsv(fileName)) {
                throw ProblemException.badParameter(
                        field, field + " maps a CSV log's columns; " + fileName + " is XES");
            }
            if (value != null) {
                flags.put(option, value);
            }
        });
        if (isCsv(fileName)) {
            requireTheMapping(flags);
        }
        return new SeedOptions(type, flags);
    }

    /** Whether a log of this name is read as CSV. */
    static boolean isCsv(String fileName) {
        return fileName.toLowerCase(java.util.Locale.ROOT).matches(".+\\.csv(\\.gz)?");
    }

    /** The importer's arguments for these options, before the URL, the progress mode and the file. */
    List<String> arguments() {
        List<String> arguments = new ArrayList<>();
        arguments.add("--type=" + aggregateType);
        csvFlags.forEach((option, value) -> arguments.add("--" + option + "=" + value));
        return arguments;
    }

    private static void requireTheMapping(Map<String, String> flags) {
        if (!flags.containsKey("case-column")) {
            throw ProblemException.badParameter("caseColumn", "a CSV log needs the column of the case id");
        }
        if (!flags.containsKey("time-column")) {
            throw ProblemException.badParameter("timeColumn", "a CSV log needs the column of the time");
        }
        if (flags.containsKey("activity-column") == flags.containsKey("activity")) {
            throw ProblemException.badParameter(
                    "activity", "a CSV log needs exactly one of an activity column and a fixed activity");
        }
    }

    private static String value(Function<String, String> form, String field) {
        String value = form.apply(field);
        if (value == null || value.isBlank()) {
            return null;
        }
        if (value.length() > LONGEST_VALUE || value.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            throw ProblemException.badParameter(field, "the value is too long or holds control characters");
        }
        return value.strip();
    }

    private static Map<String, String> csvFields() {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("caseColumn", "case-column");
        fields.put("activityColumn", "activity-column");
        fields.put("activity", "activity");
        fields.put("timeColumn", "time-column");
        fields.put("lifecycleColumn", "lifecycle-column");
        fields.put("resourceColumn", "resource-column");
        fields.put("timeFormat", "time-format");
        fields.put("zone", "zone");
        return java.util.Collections.unmodifiableMap(fields);
    }
}
