package io.polyglot.dashboard.views;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * One condition of a view request, written {@code column:op:value}: the column by name, one of the operators of
 * {@link Op}, then the value (everything after the second colon, so it may hold colons itself). The value is always
 * bound as a parameter, never part of the SQL.
 *
 * @param column the column the condition is on
 * @param op the comparison
 * @param value the value as sent
 */
public record ViewFilter(ViewColumn column, Op op, String value) {

    /** The longest value a filter may carry. */
    static final int MAX_VALUE_LENGTH = 1_000;

    /** The comparisons a filter can make. */
    public enum Op {
        EQ("="),
        NE("<>"),
        LT("<"),
        LE("<="),
        GT(">"),
        GE(">="),
        /** The column, as text, holds the value, regardless of case. */
        CONTAINS(null);

        private final String sql;

        Op(String sql) {
            this.sql = sql;
        }

        static String names() {
            return String.join(
                    ", ",
                    Arrays.stream(values())
                            .map(op -> op.name().toLowerCase(Locale.ROOT))
                            .toList());
        }
    }

    /**
     * The filter that {@code text} describes.
     *
     * @throws BadParameterException naming {@code filter} when it is not {@code column:op:value}, the column is not
     *     one of {@code columns}, the operator is unknown or the value is too long
     */
    static ViewFilter parse(String text, List<ViewColumn> columns) {
        String[] parts = text.split(":", 3);
        if (parts.length < 3) {
            throw new BadParameterException("filter", "a filter is column:op:value, not " + quoted(text));
        }
        ViewColumn column = columns.stream()
                .filter(candidate -> candidate.name().equals(parts[0]))
                .findFirst()
                .orElseThrow(() -> new BadParameterException(
                        "filter", "the view has no column " + quoted(parts[0]) + " to filter on"));
        Op op = Arrays.stream(Op.values())
                .filter(candidate -> candidate.name().toLowerCase(Locale.ROOT).equals(parts[1]))
                .findFirst()
                .orElseThrow(() -> new BadParameterException(
                        "filter", "unknown filter operator " + quoted(parts[1]) + "; use one of " + Op.names()));
        if (parts[2].length() > MAX_VALUE_LENGTH) {
            throw new BadParameterException(
                    "filter", "a filter value may have at most " + MAX_VALUE_LENGTH + " characters");
        }
        return new ViewFilter(column, op, parts[2]);
    }

    /** The condition in SQL, with one {@code ?} for the value. */
    String sql() {
        if (op == Op.CONTAINS) {
            return "CAST(" + column.identifier() + " AS text) ILIKE ? ESCAPE '\\'";
        }
        return column.identifier() + " " + op.sql + " CAST(? AS " + column.castType() + ")";
    }

    /** The value bound to the condition's {@code ?}. */
    String parameter() {
        if (op == Op.CONTAINS) {
            return "%" + value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
        }
        return value;
    }

    private static String quoted(String text) {
        String shown = text.length() > 80 ? text.substring(0, 80) + "..." : text;
        return "'" + shown + "'";
    }
}
