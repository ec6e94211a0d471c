package io.polyglot.testservers;

/** A real PostgreSQL server for one test class, on a random loopback port. */
public interface TestPostgres extends AutoCloseable {

    /** {@code jdbc:postgresql://127.0.0.1:PORT/DATABASE}. */
    String jdbcUrl();

    /** The same database as a libpq URI with credentials, the form of {@code DATABASE_URL}. */
    String databaseUrl();

    String user();

    String password();

    /** Stops the server and frees what it holds. */
    @Override
    void close();
}
