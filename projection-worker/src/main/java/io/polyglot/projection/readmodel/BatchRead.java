package io.polyglot.projection.readmodel;

import static org.jooq.impl.DSL.param;
import static org.jooq.impl.DSL.unnest;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Select;
import org.jooq.Table;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;
import org.postgresql.PGStatement;

/**
 * A read of what earlier batches stored for the aggregates of a batch, whose SQL text is the same for every batch: the
 * ids travel as one {@code text[]}, unnested into a table the query joins, so PgJDBC keeps the statement prepared as
 * it does an {@link ArrayUpsert}'s. jOOQ renders the query once, with the settings of the store that uses it; each
 * batch then costs one bind and one execution, and its rows are read by the fields the query selects.
 *
 * @param <R> what one row is read into
 */
final class BatchRead<R> {

    private static final String IDS = "batch";
    private static final String ID = "id";
    private static final String IDS_PARAMETER = "ids";

    /**
     * The batch's ids as a table, which the query joins to its table on {@link #ID_FIELD}: PostgreSQL then looks each
     * id up by the key, where {@code key = any(?)} over the same array made it scan and compare every stored row with
     * every id of the batch, which took most of a batch's time once the table held a few thousand rows.
     */
    static final Table<?> BATCH_IDS =
            unnest(param(IDS_PARAMETER, SQLDataType.CLOB.array())).as(IDS, ID);

    /** One id of the batch. */
    static final Field<String> ID_FIELD = DSL.field(DSL.name(IDS, ID), String.class);

    private final String sql;
    private final Map<Field<?>, Integer> positions;
    private final RowReader<R> reader;

    private BatchRead(String sql, Map<Field<?>, Integer> positions, RowReader<R> reader) {
        this.sql = sql;
        this.positions = positions;
        this.reader = reader;
    }

    /**
     * Renders {@code query} with the settings of {@code sql}.
     *
     * @param query a select from {@link #BATCH_IDS} whose only parameter is the ids
     * @param reader reads a row by the fields the query selects
     * @throws IllegalArgumentException when the query binds anything besides the ids
     */
    static <R> BatchRead<R> of(DSLContext sql, Function<Table<?>, Select<?>> query, RowReader<R> reader) {
        Select<?> select = query.apply(BATCH_IDS);
        Set<String> parameters = sql.extractParams(select).keySet();
        String rendered = sql.render(select);
        if (!parameters.equals(Set.of(IDS_PARAMETER))
                || rendered.chars().filter(c -> c == '?').count() != 1) {
            throw new IllegalArgumentException(
                    "a batch read binds the batch's ids and nothing else, but this one binds " + parameters);
        }
        Map<Field<?>, Integer> positions = new HashMap<>();
        List<Field<?>> fields = select.getSelect();
        for (int i = 0; i < fields.size(); i++) {
            positions.putIfAbsent(fields.get(i), i + 1);
        }
        return new BatchRead<>(rendered, Map.copyOf(positions), reader);
    }

    /** Reads the rows stored for {@code ids}, in the order the query gives them, into {@code sink}. */
    void read(Connection connection, String[] ids, Consumer<R> sink) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            plannedForTheseIds(statement);
            statement.setArray(1, connection.createArrayOf("text", ids));
            try (ResultSet result = statement.executeQuery()) {
                Row row = new Row(result, positions);
                while (result.next()) {
                    sink.accept(reader.read(row));
                }
            }
        }
    }

    /**
     * Has PostgreSQL plan the read for the ids at hand at each execution. PgJDBC otherwise prepares a statement on the
     * server from its fifth execution, and after a few more PostgreSQL keeps a generic plan, made for the table as it
     * was then: made while the table held a few rows (a read model filling up, which autovacuum has not analyzed yet),
     * that plan reads the whole table at every batch however large it grows, until an analysis of the table makes
     * PostgreSQL plan again. A plan made for the ids can look them up by the key when they are few against the table.
     */
    private static void plannedForTheseIds(PreparedStatement statement) throws SQLException {
        if (statement.isWrapperFor(PGStatement.class)) {
            statement.unwrap(PGStatement.class).setPrepareThreshold(0);
        }
    }

    /** Reads one row of the result. */
    @FunctionalInterface
    interface RowReader<R> {
        R read(Row row) throws SQLException;
    }

    /** The current row of a result, read by the query's fields. */
    static final class Row {
        private final ResultSet result;
        private final Map<Field<?>, Integer> positions;

        private Row(ResultSet result, Map<Field<?>, Integer> positions) {
            this.result = result;
            this.positions = positions;
        }

        /**
         * The value of {@code field} in this row, null for SQL's null.
         *
         * @throws IllegalArgumentException when the query does not select {@code field}, or its Java type is one this
         *     read has no getter for
         */
        <V> V get(Field<V> field) throws SQLException {
            Integer position = positions.get(field);
            if (position == null) {
                throw new IllegalArgumentException("the query does not select " + field);
            }
            Class<V> type = field.getType();
            Object value;
            if (type == String.class) {
                value = result.getString(position);
            } else if (type == Integer.class) {
                int number = result.getInt(position);
                value = result.wasNull() ? null : number;
            } else if (type == Long.class) {
                long number = result.getLong(position);
                value = result.wasNull() ? null : number;
            } else if (type == OffsetDateTime.class) {
                value = result.getObject(position, OffsetDateTime.class);
            } else {
                throw new IllegalArgumentException(
                        "no getter for " + field + " of the Java type " + type.getName() + " in a batch read");
            }
            return type.cast(value);
        }
    }
}
