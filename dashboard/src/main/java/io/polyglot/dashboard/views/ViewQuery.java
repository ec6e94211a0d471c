package io.polyglot.dashboard.views;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a request asks of a view: one page of the rows that pass every filter, in the order of the sort keys. Parsed
 * from the query parameters {@code page} (from 0), {@code size}, {@code sort} (column names separated by commas, each
 * with {@code -} in front for descending) and {@code filter} (repeatable, see {@link ViewFilter}), each checked against
 * the view's own columns.
 *
 * @param page the page, from 0
 * @param size the rows per page
 * @param sort the sort keys, first the most significant
 * @param filters the conditions every row passes
 */
public record ViewQuery(int page, int size, List<SortKey> sort, List<ViewFilter> filters) {

    /** Rows per page when the request names none. */
    public static final int DEFAULT_SIZE = 50;
    /** The most rows one page may have. */
    public static final int MAX_SIZE = 1_000;
    /** The highest page a request may ask for, so that no offset overflows. */
    static final int MAX_PAGE = 10_000_000;

    private static final int MAX_FILTERS = 20;
    private static final Set<String> PAGED = Set.of("page", "size", "sort", "filter");
    private static final Set<String> UNPAGED = Set.of("sort", "filter");

    public ViewQuery {
        sort = List.copyOf(sort);
        filters = List.copyOf(filters);
    }

    /**
     * One sort key.
     *
     * @param column the column sorted by
     * @param descending whether the largest comes first
     */
    public record SortKey(ViewColumn column, boolean descending) {}

    /**
     * The query of a page request.
     *
     * @throws BadParameterException naming the first parameter that is unknown, repeated where it may not be, or
     *     invalid for the view's {@code columns}
     */
    public static ViewQuery page(Map<String, List<String>> parameters, List<ViewColumn> columns) {
        requireKnown(parameters, PAGED);
        int page = number(parameters, "page", 0, 0, MAX_PAGE);
        int size = number(parameters, "size", DEFAULT_SIZE, 1, MAX_SIZE);
        return new ViewQuery(page, size, sort(parameters, columns), filters(parameters, columns));
    }

    /**
     * The query of an export: every row that passes the filters, sorted; {@code page} and {@code size} do not apply.
     *
     * @throws BadParameterException as {@link #page(Map, List)}
     */
    public static ViewQuery export(Map<String, List<String>> parameters, List<ViewColumn> columns) {
        requireKnown(parameters, UNPAGED);
        return new ViewQuery(0, Integer.MAX_VALUE, sort(parameters, columns), filters(parameters, columns));
    }

    private static void requireKnown(Map<String, List<String>> parameters, Set<String> known) {
        for (String name : parameters.keySet()) {
            if (!known.contains(name)) {
                throw new BadParameterException(
                        name, "unknown parameter " + name + "; this request takes " + String.join(", ", known));
            }
        }
    }

    private static int number(Map<String, List<String>> parameters, String name, int fallback, int min, int max) {
        String text = single(parameters, name);
        if (text == null) {
            return fallback;
        }
        return (int) WholeNumber.parse(name, text, min, max);
    }

    private static List<SortKey> sort(Map<String, List<String>> parameters, List<ViewColumn> columns) {
        String text = single(parameters, "sort");
        if (text == null || text.isEmpty()) {
            return List.of();
        }
        List<SortKey> keys = new ArrayList<>();
        for (String key : text.split(",", -1)) {
            boolean descending = key.startsWith("-");
            String name = descending ? key.substring(1) : key;
            ViewColumn column = columns.stream()
                    .filter(candidate -> candidate.name().equals(name))
                    .findFirst()
                    .orElseThrow(() -> new BadParameterException("sort", "the view has no column '" + name + "'"));
            if (keys.stream().anyMatch(known -> known.column().equals(column))) {
                throw new BadParameterException("sort", "column " + name + " is named twice");
            }
            keys.add(new SortKey(column, descending));
        }
        return keys;
    }

    private static List<ViewFilter> filters(Map<String, List<String>> parameters, List<ViewColumn> columns) {
        List<String> texts = parameters.getOrDefault("filter", List.of());
        if (texts.size() > MAX_FILTERS) {
            throw new BadParameterException("filter", "at most " + MAX_FILTERS + " filters");
        }
        return texts.stream().map(text -> ViewFilter.parse(text, columns)).toList();
    }

    private static String single(Map<String, List<String>> parameters, String name) {
        List<String> values = parameters.getOrDefault(name, List.of());
        if (values.size() > 1) {
            throw new BadParameterException(name, name + " may be given once");
        }
        return values.isEmpty() ? null : values.get(0);
    }
}
