package io.polyglot.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real PostgreSQL server from the machine's binaries, on 127.0.0.1, with its cluster in a data folder. The first
 * start creates the cluster (password authentication only, generated passwords kept in the data folder), the role and
 * the database {@value #DATABASE}; later starts reuse both. When the JVM runs as root the server runs as the
 * unprivileged {@code postgres} account, since PostgreSQL refuses root. The server is a daemon, not tied to this JVM:
 * it keeps running until {@link #close()} stops it, so {@code ./polyglot up} can return while it serves.
 */
public final class PostgresServer implements AutoCloseable {
    /** The role and the database that clients use. */
    public static final String DATABASE = "polyglot";

    public static final String USER = "polyglot";

    /**
     * The read-only login that {@link #ensureReader()} keeps: it may read what schema {@code public} holds (the views)
     * and nothing else, and its sessions start read-only.
     */
    public static final String READER = "polyglot_reader";

    /** Sessions the read-only login may hold at once, so that readers never take every connection from the worker. */
    public static final int READER_CONNECTIONS = 20;

    /**
     * How long a session of the read-only login may sit in an open transaction, holding locks a rebuild's swap needs.
     */
    public static final String READER_IDLE_IN_TRANSACTION = "1min";

    /** Whether the server flushes to disk. Tests may turn flushing off to run faster; a crash then loses data. */
    public enum Durability {
        FSYNC,
        NO_FSYNC
    }

    private static final Logger log = LoggerFactory.getLogger(PostgresServer.class);
    private static final String HOST = "127.0.0.1";
    private static final String SUPERUSER = "postgres";
    private static final String CREDENTIALS_FILE = "postgres-credentials.properties";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration SQL_TIMEOUT = Duration.ofSeconds(60);

    private final PostgresBinaries binaries;
    private final ServerAccount account;
    private final PostgresHome home;
    private final int port;
    private final long pid;
    private final String password;
    private final StoredValues credentials;
    private final AtomicBoolean closed = new AtomicBoolean();

    private PostgresServer(
            PostgresBinaries binaries,
            ServerAccount account,
            PostgresHome home,
            int port,
            long pid,
            String password,
            StoredValues credentials) {
        this.binaries = binaries;
        this.account = account;
        this.home = home;
        this.port = port;
        this.pid = pid;
        this.password = password;
        this.credentials = credentials;
    }

    /**
     * Starts a durable server on {@code port} (0 picks a free one), creating the cluster in {@code dataDir} if new; it
     * is stopped when this JVM exits unless closed before.
     */
    public static PostgresServer start(Path dataDir, int port) {
        return start(dataDir, port, Durability.FSYNC, Lifetime.THIS_JVM);
    }

    /** Like {@link #start(Path, int)}, flushing to disk or not. */
    public static PostgresServer start(Path dataDir, int port, Durability durability) {
        return start(dataDir, port, durability, Lifetime.THIS_JVM);
    }

    /** Starts a server on {@code port} (0 picks a free one), creating the cluster in {@code dataDir} if new. */
    public static PostgresServer start(Path dataDir, int port, Durability durability, Lifetime lifetime) {
        PostgresBinaries binaries = PostgresBinaries.locate();
        Path data = prepareDataDir(dataDir);
        ServerAccount account = ServerAccount.unprivilegedWhenRoot(SUPERUSER);
        StoredValues credentials = StoredValues.at(data.resolve(CREDENTIALS_FILE));
        PostgresHome home = PostgresHome.prepare(data, account);
        Optional<PostmasterPid> running = PostmasterPid.read(home.cluster());
        if (running.isPresent()) {
            throw new ServerStartException("PostgreSQL already runs on " + data + " (pid "
                    + running.get().pid() + ", port " + running.get().port()
                    + "); use PostgresServer.attach or stop it first");
        }
        boolean fresh = !Files.isRegularFile(home.cluster().resolve("PG_VERSION"));
        if (!fresh && !credentials.has("superuser.password")) {
            throw new ServerStartException("the cluster in " + home.cluster() + " has no " + CREDENTIALS_FILE
                    + " beside it, so its passwords are unknown; remove " + data + " to start afresh");
        }
        String superuserPassword = credentials.getOrCreate("superuser.password", () -> StoredValues.randomToken(32));
        String userPassword = credentials.getOrCreate("user.password", () -> StoredValues.randomToken(32));
        if (fresh) {
            initialize(binaries, account, home, superuserPassword);
        }
        int chosenPort = FreePorts.orFree(port);
        writeSettings(home, account, chosenPort, durability);
        ExternalCommand.run(
                        account.command(List.of(
                                binaries.program("pg_ctl").toString(),
                                "start",
                                "--pgdata=" + home.cluster(),
                                "--log=" + home.logFile(),
                                "--wait",
                                "--timeout=" + START_TIMEOUT.toSeconds(),
                                "--silent")),
                        START_TIMEOUT.plusSeconds(10))
                .orThrow("starting PostgreSQL (log: " + home.logFile() + ")");
        long pid = PostmasterPid.read(home.cluster())
                .orElseThrow(() -> new ServerStartException("PostgreSQL started but left no live postmaster.pid in "
                        + home.cluster() + "; see " + home.logFile()))
                .pid();
        PostgresServer server = new PostgresServer(binaries, account, home, chosenPort, pid, userPassword, credentials);
        try {
            server.ensureRoleAndDatabase(superuserPassword);
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
        lifetime.bind("postgres", server);
        log.info("PostgreSQL started on {}:{} (pid {}, cluster {})", HOST, chosenPort, pid, home.cluster());
        return server;
    }

    /**
     * The server already running on {@code dataDir}, if any, e.g. one that an earlier {@code ./polyglot up} started.
     */
    public static Optional<PostgresServer> attach(Path dataDir) {
        Path data = dataDir.toAbsolutePath().normalize();
        Optional<PostgresHome> home = PostgresHome.existing(data);
        if (home.isEmpty()) {
            return Optional.empty();
        }
        StoredValues credentials = StoredValues.at(data.resolve(CREDENTIALS_FILE));
        Optional<String> password = credentials.get("user.password");
        if (password.isEmpty()) {
            return Optional.empty();
        }
        return PostmasterPid.read(home.get().cluster())
                .map(running -> new PostgresServer(
                        PostgresBinaries.locate(),
                        ServerAccount.unprivilegedWhenRoot(SUPERUSER),
                        home.get(),
                        running.port(),
                        running.pid(),
                        password.get(),
                        credentials));
    }

    /** {@code postgresql://polyglot:PASSWORD@127.0.0.1:PORT/polyglot}, the libpq URI form. */
    public String databaseUrl() {
        return "postgresql://" + USER + ":" + password + "@" + HOST + ":" + port + "/" + DATABASE;
    }

    /**
     * Makes sure the read-only login {@value #READER} exists and returns its libpq URI, {@code
     * postgresql://polyglot_reader:PASSWORD@127.0.0.1:PORT/polyglot}; its password is generated once and kept with the
     * others. The login may connect to the database and read every table and view of schema {@code public}, those
     * {@value #USER} creates later included (default privileges), so the views the projection worker creates, and a
     * rebuild swaps in, are readable without another grant. It has no access to schema {@code projection}, where the
     * tables behind the views are, no right to create anything (temporary tables and large objects included) and none
     * to take advisory locks, which the worker's migrations and the rebuild use; at most {@value #READER_CONNECTIONS}
     * sessions at once, each ended after {@value #READER_IDLE_IN_TRANSACTION} idle in a transaction. Its sessions start
     * read-only. PostgreSQL lets any role change its own password and session defaults: each call sets them again and
     * removes the large objects the login owns.
     * Safe to call on every start: each step is done again only where it is missing.
     */
    public String ensureReader() {
        String readerPassword = credentials.getOrCreate("reader.password", () -> StoredValues.randomToken(32));
        String superuserPassword = credentials
                .get("superuser.password")
                .orElseThrow(() -> new ServerStartException("no superuser password is kept beside " + home.cluster()));
        String exists =
                sql(superuserPassword, "postgres", "SELECT count(*) FROM pg_roles WHERE rolname = '" + READER + "'");
        String login = "0".equals(exists) ? "CREATE ROLE " : "ALTER ROLE ";
        sql(
                superuserPassword,
                DATABASE,
                String.join(
                        "; ",
                        login + READER + " LOGIN CONNECTION LIMIT " + READER_CONNECTIONS + " PASSWORD '"
                                + readerPassword + "'",
                        // A role may give itself session defaults and a password: each start takes back what it gave.
                        "ALTER ROLE " + READER + " RESET ALL",
                        "ALTER ROLE " + READER + " SET default_transaction_read_only = on",
                        "ALTER ROLE " + READER + " SET idle_in_transaction_session_timeout = '"
                                + READER_IDLE_IN_TRANSACTION + "'",
                        "GRANT CONNECT ON DATABASE " + DATABASE + " TO " + READER,
                        // No temporary tables either: PUBLIC holds TEMPORARY by default; the owner keeps it as owner.
                        "REVOKE TEMPORARY ON DATABASE " + DATABASE + " FROM PUBLIC",
                        "GRANT USAGE ON SCHEMA public TO " + READER,
                        "GRANT SELECT ON ALL TABLES IN SCHEMA public TO " + READER,
                        "ALTER DEFAULT PRIVILEGES FOR ROLE " + USER + " IN SCHEMA public GRANT SELECT ON TABLES TO "
                                + READER,
                        // Large objects outlive a session and any role may create them, read-only or not; advisory
                        // locks are how the worker's migrations and the rebuild keep each other out, so only the
                        // worker's login may take them.
                        "DO $$ DECLARE f regprocedure; BEGIN"
                                + " FOR f IN SELECT oid::regprocedure FROM pg_proc"
                                + " WHERE proname IN ('lo_creat', 'lo_create', 'lo_from_bytea', 'lo_import') LOOP"
                                + " EXECUTE format('REVOKE EXECUTE ON FUNCTION %s FROM PUBLIC', f); END LOOP;"
                                + " FOR f IN SELECT oid::regprocedure FROM pg_proc WHERE proname LIKE 'pg\\_%advisory%'"
                                + " LOOP EXECUTE format('REVOKE EXECUTE ON FUNCTION %s FROM PUBLIC', f);"
                                + " EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO " + USER + "', f); END LOOP;"
                                + " END $$",
                        "SELECT count(lo_unlink(oid)) FROM pg_largeobject_metadata WHERE lomowner = '" + READER
                                + "'::regrole"));
        return "postgresql://" + READER + ":" + readerPassword + "@" + HOST + ":" + port + "/" + DATABASE;
    }

    /** {@code jdbc:postgresql://127.0.0.1:PORT/polyglot}; pass {@link #user()} and {@link #password()} with it. */
    public String jdbcUrl() {
        return "jdbc:postgresql://" + HOST + ":" + port + "/" + DATABASE;
    }

    public String host() {
        return HOST;
    }

    public int port() {
        return port;
    }

    public String user() {
        return USER;
    }

    public String database() {
        return DATABASE;
    }

    public String password() {
        return password;
    }

    /** The postmaster's process id. */
    public long pid() {
        return pid;
    }

    /** The server's log file, inside the data folder. */
    public Path logFile() {
        return home.logFile();
    }

    /** Whether the postmaster process is still alive. */
    public boolean isRunning() {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    @Override
    public String toString() {
        return "PostgresServer[" + HOST + ":" + port + ", pid " + pid + "]";
    }

    /** Stops the server with a fast shutdown (open sessions are ended) and waits until its process is gone. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true) || !isRunning()) {
            return;
        }
        ExternalCommand.Outcome stop = ExternalCommand.run(
                account.command(List.of(
                        binaries.program("pg_ctl").toString(),
                        "stop",
                        "--pgdata=" + home.cluster(),
                        "--mode=fast",
                        "--wait",
                        "--timeout=" + STOP_TIMEOUT.toSeconds(),
                        "--silent")),
                STOP_TIMEOUT.plusSeconds(10));
        if (!stop.succeeded()) {
            log.warn("pg_ctl stop failed ({}); killing PostgreSQL pid {}", stop.output(), pid);
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
        awaitExit();
        log.info("PostgreSQL stopped (pid {})", pid);
    }

    private void awaitExit() {
        Optional<ProcessHandle> process = ProcessHandle.of(pid);
        if (process.isEmpty()) {
            return;
        }
        try {
            process.get().onExit().get(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ServerStartException("interrupted while waiting for PostgreSQL pid " + pid + " to exit", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new ServerStartException("PostgreSQL pid " + pid + " did not exit; see " + home.logFile(), e);
        }
    }

    private static Path prepareDataDir(Path dataDir) {
        Path data = dataDir.toAbsolutePath().normalize();
        try {
            Files.createDirectories(data);
        } catch (IOException e) {
            throw new UncheckedIOException("could not create the data folder " + data, e);
        }
        return data;
    }

    private static void initialize(
            PostgresBinaries binaries, ServerAccount account, PostgresHome home, String superuserPassword) {
        Path passwordFile = home.root().resolve("initdb.password");
        try {
            Files.deleteIfExists(passwordFile);
            Files.createFile(
                    passwordFile, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(passwordFile, superuserPassword + "\n", StandardCharsets.UTF_8);
            account.own(passwordFile);
            ExternalCommand.run(
                            account.command(List.of(
                                    binaries.program("initdb").toString(),
                                    "--pgdata=" + home.cluster(),
                                    "--username=" + SUPERUSER,
                                    "--pwfile=" + passwordFile,
                                    "--auth=scram-sha-256",
                                    "--encoding=UTF8",
                                    "--no-locale",
                                    "--no-instructions")),
                            START_TIMEOUT)
                    .redacting(superuserPassword)
                    .orThrow("creating the PostgreSQL cluster in " + home.cluster());
            Files.writeString(
                    home.cluster().resolve("postgresql.conf"),
                    "\n# Settings of the local stack, rewritten at every start.\ninclude 'polyglot.conf'\n",
                    StandardCharsets.UTF_8,
                    StandardOpenOption.APPEND);
            log.info("Created PostgreSQL cluster in {}", home.cluster());
        } catch (IOException e) {
            throw new UncheckedIOException("could not create the PostgreSQL cluster in " + home.cluster(), e);
        } finally {
            try {
                Files.deleteIfExists(passwordFile);
            } catch (IOException e) {
                log.warn("Could not remove the initdb password file {}", passwordFile, e);
            }
        }
    }

    private static void writeSettings(PostgresHome home, ServerAccount account, int port, Durability durability) {
        boolean fsync = durability == Durability.FSYNC;
        String settings = String.join(
                "\n",
                "listen_addresses = '" + HOST + "'",
                "port = " + port,
                "unix_socket_directories = '" + home.socketDir() + "'",
                "fsync = " + (fsync ? "on" : "off"),
                "synchronous_commit = " + (fsync ? "on" : "off"),
                "full_page_writes = " + (fsync ? "on" : "off"),
                "timezone = 'UTC'",
                "log_timezone = 'UTC'",
                "");
        Path file = home.cluster().resolve("polyglot.conf");
        try {
            Files.writeString(file, settings, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("could not write " + file, e);
        }
        account.own(file);
    }

    private void ensureRoleAndDatabase(String superuserPassword) {
        String roleExists = sql(superuserPassword, "SELECT count(*) FROM pg_roles WHERE rolname = '" + USER + "'");
        if ("0".equals(roleExists)) {
            sql(superuserPassword, "CREATE ROLE " + USER + " LOGIN PASSWORD '" + password + "'");
        }
        String databaseExists =
                sql(superuserPassword, "SELECT count(*) FROM pg_database WHERE datname = '" + DATABASE + "'");
        if ("0".equals(databaseExists)) {
            sql(superuserPassword, "CREATE DATABASE " + DATABASE + " OWNER " + USER);
            log.info("Created role and database {} on port {}", DATABASE, port);
        }
    }

    /** Runs one statement as the superuser over the unix socket and returns its unaligned output. */
    private String sql(String superuserPassword, String statement) {
        return sql(superuserPassword, "postgres", statement);
    }

    /** Runs {@code statements} as the superuser in {@code database}, in one transaction. */
    private String sql(String superuserPassword, String database, String statements) {
        String readerPassword = credentials.get("reader.password").orElse(password);
        return ExternalCommand.run(
                        List.of(
                                binaries.program("psql").toString(),
                                "--host=" + home.socketDir(),
                                "--port=" + port,
                                "--username=" + SUPERUSER,
                                "--dbname=" + database,
                                "--no-psqlrc",
                                "--tuples-only",
                                "--no-align",
                                "--set=ON_ERROR_STOP=1",
                                "--command=" + statements),
                        Map.of("PGPASSWORD", superuserPassword, "PGCONNECT_TIMEOUT", "10"),
                        SQL_TIMEOUT)
                .redacting(password, superuserPassword, readerPassword)
                .orThrow("running SQL on PostgreSQL port " + port)
                .output();
    }
}
