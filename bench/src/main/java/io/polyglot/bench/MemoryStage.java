package io.polyglot.bench;

import io.polyglot.deploy.PolyglotStack;
import io.polyglot.schemas.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code memory}: the three services under the loads of the other stages with a 256 MiB heap. The local stack starts
 * its services with {@code -Xmx512m} and takes no JVM options, so this stage stops the stack's command service and
 * workers (by pid) and runs copies of its own: the same jars, the same settings and ports, the same decider store and
 * warm tier, with {@code -Xmx256m}, {@code -XX:+ExitOnOutOfMemoryError} and a GC log ({@code -Xlog:gc}) each. A round
 * puts on them the loads of {@code ingest-single} (2,000/s, respond-async), {@code ingest-batch} (4 batch senders)
 * and {@code decide} (1,000/s decided), one measurement each, while the workers consume what the decider writes, and
 * then waits for the decider and the archiver to catch up. Per service: the peak RSS, full collections, other pauses,
 * pause time, the longest pause, and whether it ran out of memory (it would have exited).
 */
final class MemoryStage implements BenchStage {
    static final String HEAP = "-Xmx256m";

    /** A full-GC storm: more full collections than this per minute of load in one service. */
    static final double STORM_FULL_GCS_PER_MINUTE = 2;

    private static final Duration READY = Duration.ofMinutes(2);

    private final List<Service> services = new ArrayList<>();

    private record Service(String name, WorkerProcess process, Path gcLog, long[] lastGc) {}

    @Override
    public String id() {
        return "memory";
    }

    @Override
    public String target() {
        return "each service under the loads of ingest-single, ingest-batch and decide with a 256 MiB heap: no"
                + " out-of-memory exit, fewer than " + (int) STORM_FULL_GCS_PER_MINUTE
                + " full GCs per minute (no full-GC storm)";
    }

    @Override
    public void before(StageContext context) throws Exception {
        Map<String, Map<String, String>> environments = environments(context);
        Map<String, Integer> ports = new LinkedHashMap<>();
        for (String name : environments.keySet()) {
            ports.put(name, context.component(name).port());
        }
        context.stopStackServices();
        Path logs = context.logs();
        Files.createDirectories(logs);
        for (Map.Entry<String, Map<String, String>> service : environments.entrySet()) {
            String name = service.getKey();
            int port = ports.get(name);
            Map<String, String> env = new LinkedHashMap<>(service.getValue());
            env.put(name.equals(StageContext.COMMAND_SERVICE) ? "HTTP_PORT" : "HEALTH_PORT", Integer.toString(port));
            Path gcLog = logs.resolve(name + "-256m-gc.log");
            Files.deleteIfExists(gcLog);
            WorkerProcess process = WorkerProcess.start(
                    name + "-256m",
                    context.repoRoot(),
                    name,
                    env,
                    port,
                    logs.resolve(name + "-256m.log"),
                    List.of(HEAP, "-Xlog:gc:file=" + gcLog));
            services.add(new Service(name, process, gcLog, new long[] {-1}));
        }
        for (Service service : services) {
            service.process().awaitReady(READY);
        }
    }

    /** The settings the local stack gives each service (see deploy's ServiceDefinition), without the port. */
    private static Map<String, Map<String, String>> environments(StageContext context) {
        Map<String, String> stack = context.env();
        Path home = context.stackHome();
        Map<String, String> command = new LinkedHashMap<>();
        command.put("KAFKA_BOOTSTRAP_SERVERS", context.bootstrap());
        command.put("HTTP_HOST", "127.0.0.1");
        command.put("DECIDER_APPLICATION_ID", StageContext.DECIDER_GROUP);
        command.put("DECIDER_STATE_DIR", home.resolve("decider-state").toString());

        Map<String, String> archiver = new LinkedHashMap<>();
        archiver.put("KAFKA_BOOTSTRAP_SERVERS", context.bootstrap());
        archiver.put("S3_ENDPOINT", stack.get("S3_ENDPOINT"));
        archiver.put("S3_BUCKET", PolyglotStack.BUCKET);
        archiver.put("S3_REGION", stack.get("S3_REGION"));
        archiver.put("AWS_ACCESS_KEY_ID", stack.get("AWS_ACCESS_KEY_ID"));
        archiver.put("AWS_SECRET_ACCESS_KEY", stack.get("AWS_SECRET_ACCESS_KEY"));
        archiver.put("AWS_EC2_METADATA_DISABLED", "true");
        archiver.put("WARM_DIR", home.resolve("archiver-warm").toString());
        archiver.put("HTTP_HOST", "127.0.0.1");

        Map<String, String> projection = new LinkedHashMap<>();
        projection.put("KAFKA_BOOTSTRAP_SERVERS", context.bootstrap());
        projection.put("DATABASE_URL", stack.get("DATABASE_URL"));
        projection.put("HTTP_HOST", "127.0.0.1");

        Map<String, Map<String, String>> all = new LinkedHashMap<>();
        all.put(StageContext.COMMAND_SERVICE, command);
        all.put("archiver-worker", archiver);
        all.put("projection-worker", projection);
        return all;
    }

    @Override
    public Map<String, Figure> ours(StageContext context, int round) throws Exception {
        long start = System.nanoTime();
        context.openLoop(IngestSingleStage.RATE, "memory-single-r" + round, true);
        context.batches("memory-batch-r" + round, true);
        context.openLoop(DecideStage.RATE, "memory-decide-r" + round, false);
        context.settle();
        context.awaitCommittedToEnd(StageContext.ARCHIVER_GROUP, Topics.EVENTS_ALL);
        double minutes = (System.nanoTime() - start) / 60e9;

        Map<String, Figure> figures = new LinkedHashMap<>();
        figures.put("load", new Figure(minutes * 60, "s"));
        for (Service service : services) {
            String name = service.name();
            GcLog.Pauses pauses = GcLog.read(service.gcLog(), service.lastGc()[0]);
            service.lastGc()[0] = pauses.lastGc();
            figures.put(name + " out of memory", new Figure(service.process().isAlive() ? 0 : 1, "exits"));
            figures.put(name + " peak RSS", new Figure(service.process().currentPeakRssKiB() / 1024.0, "MiB"));
            figures.put(name + " full GCs", new Figure(pauses.full(), "collections"));
            figures.put(name + " full GCs per minute", new Figure(pauses.full() / minutes, "collections/min"));
            figures.put(name + " full GC pauses", new Figure(pauses.fullMillis(), "ms"));
            figures.put(name + " other GC pauses", new Figure(pauses.others(), "pauses"));
            figures.put(name + " GC pause total", new Figure(pauses.totalMillis(), "ms"));
            figures.put(name + " GC pause max", new Figure(pauses.maxMillis(), "ms"));
        }
        return figures;
    }

    @Override
    public Map<String, Figure> raw(StageContext context, int round) {
        return Map.of();
    }

    @Override
    public List<Ratio> ratios() {
        return List.of();
    }

    @Override
    public boolean met(Map<String, Summary> figures, Map<String, Summary> ratios) {
        return figures.entrySet().stream().allMatch(figure -> {
            if (figure.getKey().endsWith(" out of memory")) {
                return figure.getValue().max() == 0;
            }
            if (figure.getKey().endsWith(" full GCs per minute")) {
                return figure.getValue().max() < STORM_FULL_GCS_PER_MINUTE;
            }
            return true;
        });
    }

    /** Stops the stage's copies by pid; the next stage that needs the whole stack starts the stack's own again. */
    @Override
    public void after(StageContext context) throws Exception {
        for (Service service : services) {
            long peak = service.process().currentPeakRssKiB();
            service.process().close();
            context.recordPeak(new ProcessPeak(
                    service.name() + " (" + HEAP + ")", service.process().pid(), peak));
        }
        services.clear();
    }
}
