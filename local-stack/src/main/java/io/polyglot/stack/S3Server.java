package io.polyglot.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real S3-compatible server: S3Proxy run as its own JVM from the jars in {@code servers/s3proxy/target/lib}, on
 * 127.0.0.1, with the filesystem backend in the data folder (objects survive restarts) and AWS signature v2/v4
 * authorization with a static key pair generated on first start and kept in the data folder. S3Proxy honours
 * {@code If-None-Match: *} on PUT, which the archive relies on for create-only uploads.
 */
public final class S3Server implements AutoCloseable {
    /** The region clients must sign for; S3Proxy accepts any, the AWS SDK needs one. */
    public static final String REGION = "us-east-1";

    private static final Logger log = LoggerFactory.getLogger(S3Server.class);
    private static final String HOST = "127.0.0.1";
    private static final String MAIN_CLASS = "org.gaul.s3proxy.Main";
    private static final String STATE_FILE = "s3-credentials.properties";
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration STOP_GRACE = Duration.ofSeconds(30);

    private final DetachedProcess process;
    private final int port;
    private final String accessKey;
    private final String secretKey;

    private S3Server(DetachedProcess process, int port, String accessKey, String secretKey) {
        this.process = process;
        this.port = port;
        this.accessKey = accessKey;
        this.secretKey = secretKey;
    }

    /**
     * Starts S3Proxy on {@code port} (0 picks a free one), keeping its objects in {@code dataDir}; it is stopped when
     * this JVM exits unless closed before.
     */
    public static S3Server start(Path dataDir, int port) {
        return start(dataDir, port, Lifetime.THIS_JVM);
    }

    /** Starts S3Proxy on {@code port} (0 picks a free one), keeping its objects in {@code dataDir}. */
    public static S3Server start(Path dataDir, int port, Lifetime lifetime) {
        Path data = dataDir.toAbsolutePath().normalize();
        Path lib = ServerLibraries.of("s3proxy");
        if (attach(data).isPresent()) {
            throw new ServerStartException("S3Proxy already runs on " + data + "; use S3Server.attach");
        }
        StoredValues stored = StoredValues.at(data.resolve(STATE_FILE));
        String accessKey = stored.getOrCreate("access.key", () -> "polyglot" + StoredValues.randomToken(12));
        String secretKey = stored.getOrCreate("secret.key", () -> StoredValues.randomToken(40));
        int chosenPort = FreePorts.orFree(port);
        stored.put("port", String.valueOf(chosenPort));
        Path config = writeConfig(data, chosenPort, accessKey, secretKey);
        Path logConfig = writeLogConfig(data);
        DetachedProcess process = DetachedProcess.start(
                List.of(
                        ServerLibraries.java(),
                        "-Xmx256m",
                        "-Xms32m",
                        "-Djava.awt.headless=true",
                        "-Dlogback.configurationFile=" + logConfig,
                        "-cp",
                        lib + "/*",
                        MAIN_CLASS,
                        "--properties",
                        config.toString()),
                data,
                data.resolve("s3proxy.log"),
                data.resolve("s3proxy.pid"));
        S3Server server = new S3Server(process, chosenPort, accessKey, secretKey);
        try {
            server.awaitReady();
        } catch (RuntimeException e) {
            process.kill();
            throw e;
        }
        lifetime.bind("s3proxy", server);
        log.info("S3Proxy started on {} (pid {}, objects in {})", server.endpoint(), process.pid(), data);
        return server;
    }

    /**
     * The S3Proxy already running on {@code dataDir}, if any, e.g. one that an earlier {@code ./polyglot up} started.
     */
    public static Optional<S3Server> attach(Path dataDir) {
        Path data = dataDir.toAbsolutePath().normalize();
        StoredValues stored = StoredValues.at(data.resolve(STATE_FILE));
        Optional<String> port = stored.get("port");
        Optional<String> accessKey = stored.get("access.key");
        Optional<String> secretKey = stored.get("secret.key");
        if (port.isEmpty() || accessKey.isEmpty() || secretKey.isEmpty()) {
            return Optional.empty();
        }
        return DetachedProcess.attach(data.resolve("s3proxy.pid"), MAIN_CLASS, data.resolve("s3proxy.log"))
                .map(process -> new S3Server(process, Integer.parseInt(port.get()), accessKey.get(), secretKey.get()));
    }

    /** {@code http://127.0.0.1:PORT}; clients must use path-style addressing. */
    public String endpoint() {
        return "http://" + HOST + ":" + port;
    }

    public int port() {
        return port;
    }

    public String accessKey() {
        return accessKey;
    }

    public String secretKey() {
        return secretKey;
    }

    public String region() {
        return REGION;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isRunning() {
        return process.isAlive();
    }

    public Path logFile() {
        return process.logFile();
    }

    @Override
    public String toString() {
        return "S3Server[" + endpoint() + ", pid " + pid() + "]";
    }

    /** Stops S3Proxy (SIGTERM, then SIGKILL if it lingers) and waits until its process is gone. */
    @Override
    public void close() {
        process.stop(STOP_GRACE);
        log.info("S3Proxy stopped (pid {})", process.pid());
    }

    private void awaitReady() {
        HttpClient client = HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(2))
                .proxy(HttpClient.Builder.NO_PROXY)
                .build();
        HttpRequest head = HttpRequest.newBuilder(URI.create(endpoint() + "/"))
                .method("HEAD", HttpRequest.BodyPublishers.noBody())
                .timeout(Duration.ofSeconds(5))
                .build();
        Instant deadline = Instant.now().plus(READY_TIMEOUT);
        while (true) {
            if (!process.isAlive()) {
                throw new ServerStartException(
                        "S3Proxy exited during start-up; see " + logFile() + "\n" + process.logTail());
            }
            try {
                // Any answer, even 403 for an unsigned request, means the server is up and routing requests.
                client.send(head, HttpResponse.BodyHandlers.discarding());
                return;
            } catch (IOException e) {
                if (Instant.now().isAfter(deadline)) {
                    throw new ServerStartException(
                            "S3Proxy did not answer within " + READY_TIMEOUT.toSeconds() + "s; see " + logFile(), e);
                }
                pause();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ServerStartException("interrupted while waiting for S3Proxy", e);
            }
        }
    }

    private static void pause() {
        try {
            Thread.sleep(200);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ServerStartException("interrupted while waiting for S3Proxy", e);
        }
    }

    private static Path writeConfig(Path data, int port, String accessKey, String secretKey) {
        Path objects = data.resolve("objects");
        String config = String.join(
                "\n",
                "# Written by the local stack at every start; edits are lost.",
                "s3proxy.endpoint=http://" + HOST + ":" + port,
                "s3proxy.authorization=aws-v2-or-v4",
                "s3proxy.identity=" + accessKey,
                "s3proxy.credential=" + secretKey,
                "jclouds.provider=filesystem",
                "jclouds.filesystem.basedir=" + objects,
                // The filesystem backend needs no credentials of its own, but S3Proxy insists on the keys.
                "jclouds.identity=" + accessKey,
                "jclouds.credential=" + secretKey,
                "");
        Path file = data.resolve("s3proxy.properties");
        try {
            Files.createDirectories(objects);
            Files.deleteIfExists(file);
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(file, config, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("could not write " + file, e);
        }
        return file;
    }

    private static Path writeLogConfig(Path data) {
        String config = String.join(
                "\n",
                "<configuration>",
                "  <appender name=\"out\" class=\"ch.qos.logback.core.ConsoleAppender\">",
                "    <encoder><pattern>%d{ISO8601} %-5level [%thread] %logger{36} - %msg%n</pattern></encoder>",
                "  </appender>",
                "  <root level=\"INFO\"><appender-ref ref=\"out\"/></root>",
                "</configuration>",
                "");
        Path file = data.resolve("s3proxy-logback.xml");
        try {
            Files.writeString(file, config, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("could not write " + file, e);
        }
        return file;
    }
}
