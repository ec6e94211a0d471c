package io.polyglot.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A worker of the pipeline (archiver or projection) run by the bench itself as its own process, {@code java -jar
 * <module>/target/<module>.jar} with the heap the local stack gives its services, so that a stage can start it on a
 * topic it filled and with settings of its own. It is stopped by its pid when closed.
 */
final class WorkerProcess implements AutoCloseable {
    /** The heap the local stack runs each service with, so the bench's worker is the same process as the stack's. */
    private static final String HEAP = "-Xmx512m";

    private static final Logger log = LoggerFactory.getLogger(WorkerProcess.class);
    private static final Duration STOP_GRACE = Duration.ofSeconds(30);

    private final String name;
    private final Process process;
    private final int healthPort;
    private final Path logFile;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private long peakRssKiB = -1;
    private boolean stopped;

    private WorkerProcess(String name, Process process, int healthPort, Path logFile) {
        this.name = name;
        this.process = process;
        this.healthPort = healthPort;
        this.logFile = logFile;
    }

    /**
     * Starts {@code module}'s jar of {@code repoRoot} with {@code environment} (which must set {@code HEALTH_PORT} to
     * {@code healthPort}), its output in {@code logFile}.
     */
    static WorkerProcess start(
            String name, Path repoRoot, String module, Map<String, String> environment, int healthPort, Path logFile)
            throws IOException {
        return start(name, repoRoot, module, environment, healthPort, logFile, List.of(HEAP));
    }

    /**
     * Starts {@code module}'s jar like {@link #start(String, Path, String, Map, int, Path)}, with {@code jvmOptions}
     * (e.g. a heap limit and a GC log) instead of the stack's heap; {@code healthPort} is where it serves
     * {@code /health/ready} and {@code /metrics} (the command service's HTTP port for the command service).
     */
    static WorkerProcess start(
            String name,
            Path repoRoot,
            String module,
            Map<String, String> environment,
            int healthPort,
            Path logFile,
            List<String> jvmOptions)
            throws IOException {
        Path jar = repoRoot.resolve(module).resolve("target").resolve(module + ".jar");
        if (!Files.isRegularFile(jar)) {
            throw new StageFailedException(jar + " is missing; build the project first");
        }
        Files.createDirectories(logFile.getParent());
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java));
        command.addAll(jvmOptions);
        command.addAll(List.of("-XX:+ExitOnOutOfMemoryError", "-jar", jar.toString()));
        ProcessBuilder builder =
                new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(logFile.toFile());
        builder.environment().putAll(environment);
        Process process = builder.start();
        log.info("{} started (pid {}, log {})", name, process.pid(), logFile);
        return new WorkerProcess(name, process, healthPort, logFile);
    }

    /** A worker around a process already started, serving {@code /metrics} on {@code healthPort} (tests). */
    static WorkerProcess of(String name, Process process, int healthPort, Path logFile) {
        return new WorkerProcess(name, process, healthPort, logFile);
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** Waits until {@code /health/ready} answers 200; fails the stage when the process exits or {@code wait} passes. */
    void awaitReady(Duration wait) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new StageFailedException(
                        name + " exited with status " + process.exitValue() + "; see " + logFile);
            }
            try {
                HttpResponse<Void> response = http.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + healthPort + "/health/ready"))
                                .timeout(Duration.ofSeconds(2))
                                .GET()
                                .build(),
                        HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                log.trace("{} does not answer on /health/ready yet", name, e);
            }
            Thread.sleep(100);
        }
        throw new StageFailedException(name + " was not ready within " + wait + "; see " + logFile);
    }

    /** The peak resident set size so far, while it runs; -1 if unknown. */
    long currentPeakRssKiB() {
        return Machine.peakRssKiB(process.pid()).orElse(-1L);
    }

    /** Throws unless the worker's process is still running. */
    void requireAlive() {
        if (!process.isAlive()) {
            throw new StageFailedException(name + " exited with status " + process.exitValue() + "; see " + logFile);
        }
    }

    /**
     * The sum over every series of the Prometheus metric {@code metric} (its name as exposed, e.g. {@code
     * polyglot_events_archived_total}), 0 when the endpoint does not answer yet or has no such series.
     */
    double metric(String metric) throws InterruptedException {
        requireAlive();
        try {
            HttpResponse<String> response = http.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + healthPort + "/metrics"))
                            .timeout(Duration.ofSeconds(5))
                            .GET()
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 ? PrometheusText.sum(response.body(), metric) : 0;
        } catch (IOException e) {
            log.trace("{} does not answer on /metrics yet", name, e);
            return 0;
        }
    }

    /** The peak resident set size the process reached, read when it was stopped; -1 while it runs or if unknown. */
    long peakRssKiB() {
        return peakRssKiB;
    }

    @Override
    public void close() throws InterruptedException {
        if (stopped) {
            return;
        }
        stopped = true;
        peakRssKiB = Machine.peakRssKiB(process.pid()).orElse(-1L);
        process.destroy();
        if (!process.waitFor(STOP_GRACE.toSeconds(), TimeUnit.SECONDS)) {
            log.warn("{} (pid {}) did not stop within {}; killing it", name, process.pid(), STOP_GRACE);
            process.destroyForcibly();
            process.waitFor(STOP_GRACE.toSeconds(), TimeUnit.SECONDS);
        }
        log.info("{} stopped (pid {})", name, process.pid());
    }

    /** The Prometheus text format, as much of it as the bench reads: a metric's value summed over its series. */
    static final class PrometheusText {
        private PrometheusText() {}

        static double sum(String body, String metric) {
            List<Double> values = new ArrayList<>();
            for (String line : body.split("\n")) {
                if (line.startsWith("#") || !line.startsWith(metric)) {
                    continue;
                }
                String rest = line.substring(metric.length());
                if (!rest.startsWith("{") && !rest.startsWith(" ")) {
                    continue; // another metric whose name starts the same way
                }
                String[] tokens = line.trim().split("\\s+");
                values.add(Double.parseDouble(tokens[tokens.length - 1]));
            }
            return values.stream().mapToDouble(Double::doubleValue).sum();
        }
    }
}
