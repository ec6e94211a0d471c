package io.polyglot.dashboard.views;

/**
 * One column of a read-model view, as PostgreSQL describes it.
 *
 * @param name the column's name
 * @param type its type as {@code information_schema.columns.data_type} names it, e.g. {@code bigint} or {@code
 *     timestamp with time zone}
 * @param description the column's comment from the migration, empty when it has none
 */
public record ViewColumn(String name, String type, String description) {

    /** The type a filter value is cast to: the column's own when it is a plain name, else text. */
    String castType() {
        return type.matches("[a-z][a-z ]*") ? type : "text";
    }

    /** The column's name as a quoted SQL identifier. */
    String identifier() {
        return '"' + name.replace("\"", "\"\"") + '"';
    }
}
