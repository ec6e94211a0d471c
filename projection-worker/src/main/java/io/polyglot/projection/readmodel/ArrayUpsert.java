package io.polyglot.projection.readmodel;

import static org.jooq.impl.DSL.asterisk;
import static org.jooq.impl.DSL.param;
import static org.jooq.impl.DSL.select;

import io.polyglot.projection.domain.SourcePosition;
import java.math.BigDecimal;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.IntFunction;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.InsertOnDuplicateStep;
import org.jooq.Query;
import org.jooq.QueryPart;
import org.jooq.Table;
import org.jooq.impl.DSL;

/**
 * An upsert into one table whose SQL text is the same for any number of rows: the rows travel as one array per
 * column, and {@code unnest} turns the arrays back into rows, in the order given, for the same {@code ON CONFLICT}
 * clause a multi-row {@code VALUES} had. The text is rendered once, with the settings of the store that uses it (a
 * rebuild's schema mapping applies), and PgJDBC keeps a statement of the same text parsed and, after a few
 * executions, prepared on the server. A batch then costs one bind and one execution per table, where a multi-row
 * insert was rendered by jOOQ and parsed by PgJDBC anew for every batch because its text grew with the rows.
 *
 * @param <T> what one row is made from
 */
final class ArrayUpsert<T> {

    private final String sql;
    private final List<Column<T, ?>> columns;

    private ArrayUpsert(String sql, List<Column<T, ?>> columns) {
        this.sql = sql;
        this.columns = columns;
    }

    /** Starts an upsert into {@code table}; name its columns in order, then its conflict clause. */
    static <T> Builder<T> into(Table<?> table) {
        return new Builder<>(table);
    }

    /** Writes the rows with one statement, in the order given; sends nothing when there are none. */
    void write(Connection connection, List<T> rows) throws SQLException {
        if (rows.isEmpty()) {
            return;
        }
        try (PreparedStatement statement = bound(connection, rows)) {
            statement.executeUpdate();
        }
    }

    /**
     * Writes the rows like {@link #write} and gives back the first column of each row the statement's {@code
     * RETURNING} clause returns, as {@code type}; the upsert must have been built with such a clause.
     */
    <R> List<R> writeReturning(Connection connection, List<T> rows, Class<R> type) throws SQLException {
        List<R> returned = new ArrayList<>();
        if (rows.isEmpty()) {
            return returned;
        }
        try (PreparedStatement statement = bound(connection, rows);
                ResultSet result = statement.executeQuery()) {
            while (result.next()) {
                returned.add(result.getObject(1, type));
            }
        }
        return returned;
    }

    private PreparedStatement bound(Connection connection, List<T> rows) throws SQLException {
        PreparedStatement statement = connection.prepareStatement(sql);
        try {
            for (int i = 0; i < columns.size(); i++) {
                statement.setArray(i + 1, columns.get(i).array(connection, rows));
            }
            return statement;
        } catch (SQLException | RuntimeException e) {
            statement.close();
            throw e;
        }
    }

    /** Collects the columns of an upsert in order, then renders it once. */
    static final class Builder<T> {
        private final Table<?> table;
        private final List<Column<T, ?>> columns = new ArrayList<>();

        private Builder(Table<?> table) {
            this.table = table;
        }

        /** The next column, and how a row gives its value, null included. */
        <V> Builder<T> column(Field<V> field, Function<T, V> value) {
            columns.add(new Column<>(field, ElementType.of(field), value));
            return this;
        }

        /** Two columns for a row's source position: its partition, then its offset. */
        Builder<T> source(Field<Integer> partition, Field<Long> offset, Function<T, SourcePosition> source) {
            column(partition, row -> source.apply(row).partition());
            return column(offset, row -> source.apply(row).offset());
        }

        /**
         * Renders the insert with {@code onConflict} appended, with the parameters and settings of {@code sql}.
         *
         * @param onConflict the conflict clause, given the insert of the unnested arrays, and a {@code RETURNING}
         *     clause where the rows are written with {@link #writeReturning}
         */
        ArrayUpsert<T> build(DSLContext sql, Function<InsertOnDuplicateStep<?>, Query> onConflict) {
            List<Field<?>> fields =
                    columns.stream().<Field<?>>map(Column::field).toList();
            List<Field<?>> arrays = new ArrayList<>();
            for (Column<T, ?> column : columns) {
                arrays.add(param(
                        column.field().getName(), column.field().getDataType().getArrayDataType()));
            }
            String unnest = IntStream.range(0, arrays.size())
                    .mapToObj(i -> "{" + i + "}")
                    .collect(Collectors.joining(", ", "unnest(", ")"));
            Table<?> rows = DSL.table(unnest, arrays.toArray(QueryPart[]::new));
            Query query = onConflict.apply(
                    sql.insertInto(table, fields).select(select(asterisk()).from(rows)));
            return new ArrayUpsert<>(sql.render(query), List.copyOf(columns));
        }
    }

    /** One column: its field, the PostgreSQL type of its array's elements, and the value a row gives it. */
    private record Column<T, V>(Field<V> field, ElementType type, Function<T, V> value) {

        Array array(Connection connection, List<T> rows) throws SQLException {
            Object[] elements = type.newArray.apply(rows.size());
            for (int i = 0; i < elements.length; i++) {
                V element = value.apply(rows.get(i));
                elements[i] = element == null ? null : type.element.apply(element);
            }
            return connection.createArrayOf(type.name, elements);
        }
    }

    /**
     * How PgJDBC is handed the elements of an array of each column type. Texts and integers go as they are; decimals,
     * times and dates as their plain or ISO-8601 text (an instant always with its seconds), which PostgreSQL reads
     * back exactly, where PgJDBC would otherwise pick a text of its own for objects it has no array encoding for.
     */
    private enum ElementType {
        TEXT(String.class, "text", String[]::new, value -> value),
        BIGINT(Long.class, "int8", Long[]::new, value -> value),
        INTEGER(Integer.class, "int4", Integer[]::new, value -> value),
        NUMERIC(BigDecimal.class, "numeric", String[]::new, value -> ((BigDecimal) value).toPlainString()),
        TIMESTAMPTZ(
                OffsetDateTime.class,
                "timestamptz",
                String[]::new,
                value -> ((OffsetDateTime) value).toInstant().toString()),
        DATE(LocalDate.class, "date", String[]::new, Object::toString);

        private final Class<?> javaType;
        private final String name;
        private final IntFunction<Object[]> newArray;
        private final Function<Object, Object> element;

        ElementType(Class<?> javaType, String name, IntFunction<Object[]> newArray, Function<Object, Object> element) {
            this.javaType = javaType;
            this.name = name;
            this.newArray = newArray;
            this.element = element;
        }

        static ElementType of(Field<?> field) {
            for (ElementType type : values()) {
                if (type.javaType == field.getType()) {
                    return type;
                }
            }
            throw new IllegalArgumentException("column " + field.getName() + " has the Java type "
                    + field.getType().getName() + ", which no array element type here carries");
        }
    }
}
