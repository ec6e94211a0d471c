package io.polyglot.bench;

import io.polyglot.deploy.JavaOptions;
import io.polyglot.schemas.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code memory}: the three services under the loads of the other stages with a 256 MiB heap. The stage stops the
 * stack's command service and workers (by pid) and has the stack start them again with JVM options of its own (deploy's
 * {@code JavaOptions}, what {@code POLYGLOT_JAVA_OPTIONS} gives {@code ./polyglot up}): {@code -Xmx256m} for each, and
 * a GC log ({@code -Xlog:gc}) of its own for each, beside the stack's {@code -XX:+ExitOnOutOfMemoryError}. So they are
 * the stack's own services, with its settings, ports, decider store and warm tier. A round puts on them the loads of
 * {@code ingest-single} (2,000/s, respond-async), {@code ingest-batch} (4 batch senders) and {@code decide} (1,000/s
 * decided), one measurement each (a smoke run only the batch load, the one that holds the most memory), while the
 * workers consume what the decider writes, and then waits for the decider and the archiver to catch up. Per service:
 * the peak RSS, full collections, other pauses, pause time, the longest pause, and whether it ran out of memory (it
 * would have exited).
 */
final class MemoryStage implements BenchStage {
    static final String HEAP = "-Xmx256m";

    /** A full-GC storm: more full collections than this per minute of load in one service. */
    static final double STORM_FULL_GCS_PER_MINUTE = 2;

    private static final List<String> SERVICES =
            List.of(StageContext.COMMAND_SERVICE, "archiver-worker", "projection-worker");

    private final List<Service> services = new ArrayList<>();

    private record Service(String name, long pid, Path gcLog, long[] lastGc) {}

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

    /** The options the stage runs the stack's services with: the heap for each, and each its own GC log. */
    static JavaOptions javaOptions(Path logs) {
        JavaOptions options = new JavaOptions(List.of(HEAP), Map.of());
        for (String name : SERVICES) {
            options = options.with(name, List.of("-Xlog:gc:file=" + gcLog(logs, name)));
        }
        return options;
    }

    private static Path gcLog(Path logs, String service) {
        return logs.resolve(service + "-256m-gc.log");
    }

    /** How the report labels the services that ran with {@link #HEAP}. */
    static final String LABEL = " (" + HEAP + ")";

    @Override
    public void before(StageContext context) throws Exception {
        Path logs = context.logs();
        Files.createDirectories(logs);
        JavaOptions options = javaOptions(logs);
        if (!context.stackRunsWith(options)) {
            for (String name : SERVICES) {
                Files.deleteIfExists(gcLog(logs, name));
            }
        }
        context.runStackServicesWith(options, LABEL);
        for (String name : SERVICES) {
            Long pid = context.component(name).pid();
            if (pid == null) {
                throw new StageFailedException("the stack's " + name + " did not start with " + HEAP);
            }
            // A stack started with these options (a smoke run) logged collections before the stage: not its own.
            long before = GcLog.read(gcLog(logs, name), -1).lastGc();
            services.add(new Service(name, pid, gcLog(logs, name), new long[] {before}));
        }
    }

    @Override
    public Map<String, Figure> ours(StageContext context, int round) throws Exception {
        long start = System.nanoTime();
        double quietBefore = context.quietSeconds();
        if (context.pace().memoryLoads() > 1) {
            context.openLoop(IngestSingleStage.RATE, "memory-single-r" + round, true);
        }
        context.batches("memory-batch-r" + round, true);
        if (context.pace().memoryLoads() > 2) {
            context.openLoop(DecideStage.RATE, "memory-decide-r" + round, false);
        }
        context.settle();
        context.awaitCommittedToEnd(StageContext.ARCHIVER_GROUP, Topics.EVENTS_ALL);
        // The waits for a drained pipeline before each load are no load: the full GCs a minute count the rest.
        double minutes = ((System.nanoTime() - start) / 1e9 - (context.quietSeconds() - quietBefore)) / 60;

        Map<String, Figure> figures = new LinkedHashMap<>();
        figures.put("load", new Figure(minutes * 60, "s"));
        for (Service service : services) {
            String name = service.name();
            GcLog.Pauses pauses = GcLog.read(service.gcLog(), service.lastGc()[0]);
            service.lastGc()[0] = pauses.lastGc();
            boolean alive =
                    ProcessHandle.of(service.pid()).map(ProcessHandle::isAlive).orElse(false);
            figures.put(name + " out of memory", new Figure(alive ? 0 : 1, "exits"));
            figures.put(
                    name + " peak RSS",
                    new Figure(Machine.peakRssKiB(service.pid()).orElse(-1L) / 1024.0, "MiB"));
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

    /**
     * Leaves the stack's services running with {@link #HEAP}: the stages after it (the worker stages) stop the workers
     * and start their own, and the report lists the services' peak RSS as {@code <service> (-Xmx256m)}.
     */
    @Override
    public void after(StageContext context) {
        services.clear();
    }
}
