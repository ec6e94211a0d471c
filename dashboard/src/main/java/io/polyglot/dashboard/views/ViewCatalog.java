package io.polyglot.dashboard.views;

import io.polyglot.schemas.ReadModelViews;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;

/**
 * The read-model views the dashboard may show, and their columns as PostgreSQL describes them. Only the views the
 * README documents are served: a name outside {@link #VIEWS} is unknown even if such a relation exists, so no table
 * behind the views, and nothing of another schema, is ever reachable.
 */
public final class ViewCatalog {

    /** The documented views of schema {@code public}, in the order the dashboard lists them. */
    public static final List<String> VIEWS = ReadModelViews.REBUILDABLE;

    private static final String COLUMNS = "SELECT column_name, data_type,"
            + " coalesce(col_description(format('%I.%I', table_schema, table_name)::regclass, ordinal_position), '')"
            + " FROM information_schema.columns WHERE table_schema = 'public' AND table_name = ?"
            + " ORDER BY ordinal_position";

    private final DataSource database;
    private final Map<String, List<ViewColumn>> discovered = new ConcurrentHashMap<>();

    public ViewCatalog(DataSource database) {
        this.database = database;
    }

    /**
     * The columns of {@code view}, in the view's order; discovered once, after the view exists.
     *
     * @throws UnknownViewException when {@code view} is not one of {@link #VIEWS}
     * @throws ViewUnavailableException when PostgreSQL cannot answer, or the view is not migrated yet
     */
    public List<ViewColumn> columns(String view) {
        if (!VIEWS.contains(view)) {
            throw new UnknownViewException(view);
        }
        List<ViewColumn> known = discovered.get(view);
        if (known != null) {
            return known;
        }
        List<ViewColumn> columns = discover(view);
        if (columns.isEmpty()) {
            throw new ViewUnavailableException("view " + view + " does not exist yet; the projection creates it", null);
        }
        discovered.put(view, columns);
        return columns;
    }

    private List<ViewColumn> discover(String view) {
        try (Connection connection = database.getConnection();
                PreparedStatement statement = connection.prepareStatement(COLUMNS)) {
            statement.setString(1, view);
            List<ViewColumn> columns = new ArrayList<>();
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    columns.add(new ViewColumn(rows.getString(1), rows.getString(2), rows.getString(3)));
                }
            }
            return List.copyOf(columns);
        } catch (SQLException e) {
            throw new ViewUnavailableException("could not read the columns of " + view, e);
        }
    }
}
