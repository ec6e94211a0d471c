package io.polyglot.bench;

import io.polyglot.deploy.ComponentStatus;
import io.polyglot.deploy.JavaOptions;
import io.polyglot.deploy.PolyglotStack;
import io.polyglot.runtime.DatabaseUrl;
import io.polyglot.runtime.TopicSetup;
import io.polyglot.schemas.Limits;
import io.polyglot.schemas.Topics;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.config.TopicConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What a stage works with: the running stack's addresses, the log's events, the pace, and a few Kafka chores. */
final class StageContext implements AutoCloseable {
    /** The Kafka Streams application id the local stack gives the decider, which is its consumer group. */
    static final String DECIDER_GROUP = "polyglot-decider";

    /** The aggregate type the BPI 2012 cases are sent as, so the decider applies its loan rules. */
    static final String AGGREGATE_TYPE = "LoanApplication";

    private static final Logger log = LoggerFactory.getLogger(StageContext.class);
    private static final int PARTITIONS = 6;
    private static final Duration POLL = Duration.ofMillis(250);
    private static final int SAMPLE = 20_000;
    private static final int MAX_IN_FLIGHT = 1_024;
    /**
     * Connections the load generator opens to the command service at most: below the service's
     * {@code HTTP_MAX_CONNECTIONS} (1,000), whose surplus connections wait unaccepted until another closes (its idle
     * timeout, 30 s), so a request sent on one would wait that long. Requests beyond it queue in the client, and the
     * open loop counts that wait.
     */
    private static final int MAX_CONNECTIONS = 512;

    /** Concurrent batch senders of the throughput stages. */
    static final int BATCH_SENDERS = 4;

    /** The workers of the stack that consume {@code events.all}, which the worker stages stop while they measure. */
    static final List<String> STACK_WORKERS = List.of("archiver-worker", "projection-worker");

    /** The stack's command service, which the {@code memory} stage restarts with JVM options of its own. */
    static final String COMMAND_SERVICE = "command-service";

    /** The Kafka consumer group of the stack's archiver. */
    static final String ARCHIVER_GROUP = "polyglot-archiver";

    /** The consumer group under which the stack's projection worker stores its offsets in PostgreSQL. */
    static final String PROJECTION_GROUP = "polyglot-projection";

    private static final int SEED_LINES_PER_BATCH = 500;
    private static final Duration WORKER_STOP_GRACE = Duration.ofSeconds(30);

    private final Pace pace;
    private PolyglotStack stack;
    private JavaOptions servicesOptions;
    private String servicesLabel;
    private final Path repoRoot;
    private final Path out;
    private final boolean profile;
    private final Map<String, String> env;
    private final String bootstrap;
    private final List<LogEvent> events;
    private final CommandClient commands;
    private final Admin admin;
    private final Map<String, RecordSample> samples = new HashMap<>();
    private final Map<String, ProcessPeak> stoppedPeaks = new LinkedHashMap<>();
    private final List<ProcessPeak> ownPeaks = new ArrayList<>();
    private boolean workersStopped;
    private double quietSeconds;

    /**
     * The context of a run on {@code stack}, whose services were started with {@code servicesOptions}; the report lists
     * them under their name followed by {@code servicesLabel} (empty for the stack's own options).
     */
    StageContext(
            Pace pace,
            PolyglotStack stack,
            JavaOptions servicesOptions,
            String servicesLabel,
            Path repoRoot,
            Path out,
            boolean profile,
            List<LogEvent> events) {
        this.pace = pace;
        this.servicesOptions = servicesOptions;
        this.servicesLabel = servicesLabel;
        this.out = out;
        this.profile = profile;
        this.stack = stack;
        this.repoRoot = repoRoot;
        this.env = stack.env();
        this.bootstrap = env.get("KAFKA_BOOTSTRAP_SERVERS");
        this.events = events;
        this.commands = new CommandClient(env.get("COMMAND_URL"), env.get("POLYGLOT_TOKEN"), MAX_CONNECTIONS);
        this.admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
    }

    Pace pace() {
        return pace;
    }

    CommandClient commands() {
        return commands;
    }

    /** What a client of the running stack needs: {@code KAFKA_BOOTSTRAP_SERVERS}, {@code DATABASE_URL}, S3 ... */
    Map<String, String> env() {
        return env;
    }

    String bootstrap() {
        return bootstrap;
    }

    Path repoRoot() {
        return repoRoot;
    }

    /** A folder of the stack's home for a stage's files (warm tiers, logs, downloads); removed with the stack. */
    Path workDir(String name) {
        return stack.home().resolve("bench").resolve(name);
    }

    /**
     * Starts a worker of the pipeline as a process of the bench's own, its log {@code logs/<name>.log} beside the
     * report so it outlives the stack; with {@code --profile} it also records a JFR profile, {@code logs/<name>.jfr}.
     */
    WorkerProcess startWorker(String name, String module, Map<String, String> env, int healthPort) throws IOException {
        Path logs = logs();
        Map<String, String> environment = new LinkedHashMap<>(env);
        if (profile) {
            environment.put(
                    "JAVA_TOOL_OPTIONS",
                    "-XX:StartFlightRecording=settings=profile,dumponexit=true,filename="
                            + logs.resolve(name + ".jfr"));
        }
        return WorkerProcess.start(name, repoRoot, module, environment, healthPort, logs.resolve(name + ".log"));
    }

    /** The folder beside the report where the processes a stage starts log (and record their GC and profiles). */
    Path logs() {
        return out.resolve("logs");
    }

    int partitions() {
        return PARTITIONS;
    }

    /**
     * Events the pipeline itself wrote to {@code events.all}, up to 20,000 from its start. When the topic holds fewer
     * than a tenth of that (the worker stages run first), the log's cases are first sent through {@code POST
     * /v1/commands:batch} and decided, so there is something of the pipeline's own to copy.
     */
    List<ConsumerRecord<byte[], byte[]>> pipelineEvents() throws InterruptedException {
        if (!samples.containsKey(Topics.EVENTS_ALL) && recordsIn(Topics.EVENTS_ALL) < SAMPLE / 10) {
            seed(Math.min(events.size(), SAMPLE / 2));
        }
        return samples.computeIfAbsent(Topics.EVENTS_ALL, topic -> RecordSample.of(bootstrap, topic, SAMPLE))
                .records();
    }

    private void seed(int lines) throws InterruptedException {
        CommandLines seed = lines("seed");
        long decided = 0;
        for (int sent = 0; sent < lines; sent += SEED_LINES_PER_BATCH) {
            int batch = Math.min(SEED_LINES_PER_BATCH, lines - sent);
            try {
                decided +=
                        commands.sendBatch(seed.nextBatch(batch), batch, false).decided();
            } catch (IOException e) {
                throw new StageFailedException("could not send the seed commands", e);
            }
        }
        settle();
        log.info("Sent {} commands of the log through the pipeline to copy its events; {} decided", lines, decided);
    }

    /** The records (and transaction markers) {@code topic} holds: the sum of its partitions' end offsets. */
    long recordsIn(String topic) throws InterruptedException {
        return endOffsets(topic).values().stream().mapToLong(Long::longValue).sum();
    }

    private List<TopicPartitionInfo> partitionsOf(String topic)
            throws InterruptedException, ExecutionException, TimeoutException {
        return admin.describeTopics(List.of(topic))
                .allTopicNames()
                .get(30, TimeUnit.SECONDS)
                .get(topic)
                .partitions();
    }

    /** The end offset of each partition of {@code topic}. */
    Map<Integer, Long> endOffsets(String topic) throws InterruptedException {
        try {
            var partitions = partitionsOf(topic);
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            partitions.forEach(p -> latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
            Map<Integer, Long> ends = new TreeMap<>();
            admin.listOffsets(latest)
                    .all()
                    .get(30, TimeUnit.SECONDS)
                    .forEach((partition, end) -> ends.put(partition.partition(), end.offset()));
            return ends;
        } catch (ExecutionException | TimeoutException e) {
            throw new StageFailedException("could not read the end offsets of " + topic, e);
        }
    }

    /** The offsets {@code group} has committed on {@code topic}, by partition; a partition without one is absent. */
    Map<Integer, Long> committed(String group, String topic) throws InterruptedException {
        try {
            Map<Integer, Long> offsets = new TreeMap<>();
            admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata()
                    .get(30, TimeUnit.SECONDS)
                    .forEach((partition, offset) -> {
                        if (partition.topic().equals(topic) && offset != null) {
                            offsets.put(partition.partition(), offset.offset());
                        }
                    });
            return offsets;
        } catch (ExecutionException | TimeoutException e) {
            throw new StageFailedException("could not read the offsets of group " + group, e);
        }
    }

    /**
     * Waits until {@code group} has committed every partition of {@code topic} up to its end (at most one transaction
     * marker behind), or {@link Pace#settle()} passed; returns whether it got there.
     */
    boolean awaitCommittedToEnd(String group, String topic) throws InterruptedException {
        if (awaitCommittedToEnd(group, topic, pace.settle())) {
            return true;
        }
        log.warn("Group {} did not reach the end of {} within {}", group, topic, pace.settle());
        return false;
    }

    /** Like {@link #awaitCommittedToEnd(String, String)}, waiting up to {@code wait}, and quietly. */
    boolean awaitCommittedToEnd(String group, String topic, Duration wait) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        do {
            if (committedToEnd(group, topic)) {
                return true;
            }
            Thread.sleep(POLL.toMillis());
        } while (System.nanoTime() < deadline);
        return false;
    }

    /**
     * Whether {@code group} has committed every partition of {@code topic} to its end or to one record before it,
     * which a transaction marker may be. Partition by partition: a total of a few would let one partition keep a few
     * events its group has not committed.
     */
    private boolean committedToEnd(String group, String topic) throws InterruptedException {
        return lags(group, topic).values().stream().allMatch(lag -> lag <= 1);
    }

    /**
     * Stops the stack's own workers of {@code events.all} by their pids, so that a stage measures its worker alone on
     * the machine; {@link #ensureStackWorkers()} starts them again. They stay stopped from one such stage to the next.
     */
    void stopStackWorkers() throws InterruptedException {
        stopStack(STACK_WORKERS);
    }

    /** Whether the stack's services were started with {@code options}. */
    boolean stackRunsWith(JavaOptions options) {
        return servicesOptions.equals(options);
    }

    /**
     * Makes the stack's command service and workers run with {@code options} (see deploy's {@link JavaOptions}): if
     * they were started with others, stops them by their pids and has the stack start them again with these (the same
     * jars, settings, ports, decider store and warm tier; only the JVM options differ), else only starts those a stage
     * stopped. Returns once they are ready. From then on the stack starts its services with these options, and the
     * report lists them under their name followed by {@code label}.
     */
    void runStackServicesWith(JavaOptions options, String label) throws InterruptedException {
        if (stackRunsWith(options)) {
            ensureStackWorkers();
            return;
        }
        stopStack(stackServices());
        stack = stack.withJavaOptions(options);
        servicesOptions = options;
        servicesLabel = label;
        stack.up();
        workersStopped = false;
    }

    private static List<String> stackServices() {
        List<String> services = new ArrayList<>(STACK_WORKERS);
        services.add(COMMAND_SERVICE);
        return services;
    }

    private void stopStack(List<String> names) throws InterruptedException {
        String label = servicesLabel;
        for (ComponentStatus component : stack.status()) {
            if (!names.contains(component.name()) || component.pid() == null) {
                continue;
            }
            var process = ProcessHandle.of(component.pid());
            if (process.isEmpty()) {
                continue;
            }
            // The peak of a process is gone with it: read it first, so the report lists every process of the stack.
            stoppedPeaks.put(
                    component.name() + label,
                    new ProcessPeak(
                            component.name() + label,
                            component.pid(),
                            Machine.peakRssKiB(component.pid()).orElse(-1L)));
            process.get().destroy();
            try {
                process.get().onExit().get(WORKER_STOP_GRACE.toSeconds(), TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException e) {
                log.warn(
                        "{} (pid {}) did not stop within {}; killing it",
                        component.name(),
                        component.pid(),
                        WORKER_STOP_GRACE);
                process.get().destroyForcibly();
            }
            log.info("Stopped the stack's {} (pid {}) for the stage", component.name(), component.pid());
        }
        workersStopped = true;
    }

    /**
     * Starts the stack's services again if a stage stopped them, with the JVM options they last ran with, and waits
     * until they are ready.
     */
    void ensureStackWorkers() {
        if (workersStopped) {
            stack.up();
            workersStopped = false;
        }
    }

    /** The stack's component {@code name} as its status lists it (its pid, port, health). */
    ComponentStatus component(String name) {
        return stack.status().stream()
                .filter(component -> component.name().equals(name))
                .findFirst()
                .orElseThrow(() -> new StageFailedException("the stack has no component " + name));
    }

    /** The stack's home folder (its data, the decider's stores, the archiver's warm tier). */
    Path stackHome() {
        return stack.home();
    }

    /** A new connection to the stack's PostgreSQL as the pipeline's user. */
    Connection database() throws SQLException {
        DatabaseUrl url = DatabaseUrl.parse(env.get("DATABASE_URL"));
        return DriverManager.getConnection(url.jdbcUrl(), url.user(), url.password());
    }

    /** Records the peak RSS of a process a stage started itself, for the report's table of processes. */
    void recordPeak(ProcessPeak peak) {
        ownPeaks.add(peak);
    }

    /**
     * The peak RSS of every process of the run: the stack's that still run, those a stage stopped (read when it
     * stopped them), then those stages started themselves and recorded.
     */
    List<ProcessPeak> processPeaks() {
        List<ProcessPeak> peaks = new ArrayList<>();
        List<String> listed = new ArrayList<>();
        for (ComponentStatus component : stack.status()) {
            if (component.pid() != null && ProcessHandle.of(component.pid()).isPresent()) {
                String name = stackServices().contains(component.name())
                        ? component.name() + servicesLabel
                        : component.name();
                peaks.add(new ProcessPeak(
                        name,
                        component.pid(),
                        Machine.peakRssKiB(component.pid()).orElse(-1L)));
                listed.add(name);
            }
        }
        stoppedPeaks.forEach((name, peak) -> {
            if (!listed.contains(name)) {
                peaks.add(peak);
            }
        });
        peaks.addAll(ownPeaks);
        return peaks;
    }

    /**
     * Waits until the decider answers a single command decided, sending one at a time (a fresh case each), at most
     * {@link Pace#settle()} or 30 s, whichever is longer: right after the stack's start the decider may still be
     * joining its group or restoring its stores, and a stage's first batch would then run past the decision wait.
     */
    void awaitDecider() throws InterruptedException {
        CommandLines warm = lines("decider-warm-up");
        long deadline = System.nanoTime()
                + Math.max(pace.settle().toNanos(), Duration.ofSeconds(30).toNanos());
        int sent = 0;
        while (System.nanoTime() < deadline) {
            sent++;
            try {
                if (commands.send(warm.opening("decider~warm-up~" + sent), false)
                                .get(30, TimeUnit.SECONDS)
                        == OpenLoop.Outcome.ANSWERED) {
                    log.info("The decider answered a command decided after {} tries", sent);
                    return;
                }
            } catch (ExecutionException | TimeoutException e) {
                log.debug("The decider's warm-up command {} got no answer", sent, e);
            }
        }
        log.warn("The decider answered none of {} commands decided before the first stage", sent);
    }

    /**
     * Puts load on the fresh stack for {@link Pace#stackWarmup()} before the first stage, a third each of decided
     * single commands at 1,000/s, single commands answered once in Kafka at 2,000/s and decided batches, then waits
     * for the decider and the workers to drain it. A stage run first would otherwise measure the JIT compiling the
     * services (a whole log took half as long again through a fresh stack as through one that had run the other
     * stages before), and a stage run after the load but before the drain, the archiver's backlog.
     */
    void warmUpStack() throws InterruptedException {
        if (pace.stackWarmup().isZero()) {
            return;
        }
        Duration third = pace.stackWarmup().dividedBy(3);
        log.info("Warming the stack up for {} s", pace.stackWarmup().toSeconds());
        singles(new OpenLoop(1_000, MAX_IN_FLIGHT), lines("stack-warm-up-decided"), false, third);
        singles(new OpenLoop(2_000, MAX_IN_FLIGHT), lines("stack-warm-up-accepted"), true, third);
        new BatchLoad(commands, BATCH_SENDERS, pace.batchLines())
                .run(i -> lines("stack-warm-up-batch-s" + i), false, third);
        log.info("The stack's warm-up load drained in {} s", Math.round(quiet()));
    }

    /** A measured load's result, and what the machine and the run's processes spent while it ran. */
    record Loaded<T>(T result, CpuUse cpu) {}

    /**
     * Starts a window over the machine's cores and the CPU of the stack's processes (each server with its children,
     * so PostgreSQL's backends count) and of this bench, the load generator.
     */
    CpuUse.Window cpuWindow() {
        Map<String, Long> pids = new LinkedHashMap<>();
        for (ComponentStatus component : stack.status()) {
            if (component.pid() != null) {
                pids.put(component.name(), component.pid());
            }
        }
        pids.put("bench", ProcessHandle.current().pid());
        return CpuUse.start(pids);
    }

    /**
     * Single commands at {@code ratePerSecond}, open loop, once the pipeline is {@link #quiet()}: a warm-up, then the
     * measured run.
     */
    Loaded<OpenLoop.Latencies> openLoop(int ratePerSecond, String tag, boolean async) throws InterruptedException {
        quiet();
        CommandLines single = lines(tag);
        OpenLoop loop = new OpenLoop(ratePerSecond, MAX_IN_FLIGHT);
        singles(loop, single, async, pace.warmup());
        CpuUse.Window window = cpuWindow();
        OpenLoop.Latencies latencies = singles(loop, single, async, pace.measure());
        return new Loaded<>(latencies, window.end());
    }

    private OpenLoop.Latencies singles(OpenLoop loop, CommandLines lines, boolean async, Duration duration)
            throws InterruptedException {
        return loop.run(duration, due -> commands.send(lines.next(), async));
    }

    /**
     * Batches from {@link #BATCH_SENDERS} senders, each with its own cases, once the pipeline is {@link #quiet()}: a
     * warm-up, then the measured run.
     */
    Loaded<BatchLoad.Result> batches(String tag, boolean async) throws InterruptedException {
        quiet();
        BatchLoad load = new BatchLoad(commands, BATCH_SENDERS, pace.batchLines());
        load.run(i -> lines(tag + "-warm-s" + i), async, pace.warmup());
        CpuUse.Window window = cpuWindow();
        BatchLoad.Result result = load.run(i -> lines(tag + "-s" + i), async, pace.measure());
        return new Loaded<>(result, window.end());
    }

    /** Fresh commands from the log, tagged so that no other source in this run produces the same ids. */
    CommandLines lines(String tag) {
        return new CommandLines(events, AGGREGATE_TYPE, tag);
    }

    /**
     * A producer on the raw topic of {@code stageId}'s round {@code round} that replays the records our side wrote to
     * {@code ourTopic}; they are read once per run, when first asked for. Returned once the pipeline is
     * {@link #quiet()}, so the raw side's share of the machine is not our side's catch-up.
     */
    RawProducer rawProducer(String stageId, int round, String ourTopic) throws InterruptedException {
        quiet();
        RecordSample sample = samples.computeIfAbsent(ourTopic, topic -> RecordSample.of(bootstrap, topic, SAMPLE));
        return new RawProducer(bootstrap, rawTopic(stageId, round), sample, this::cpuWindow);
    }

    /**
     * Creates the raw side's topics of a stage, one per round, configured like {@code events.all} (partitions,
     * record size). The bench creates them before the stage's first round, so that they are served well before a
     * producer meets them.
     */
    void createRawTopics(String stageId, int rounds) throws InterruptedException {
        List<String> names = new ArrayList<>();
        for (int round = 1; round <= rounds; round++) {
            names.add(rawTopic(stageId, round));
        }
        createTopics(names);
    }

    /** Creates {@code names} configured like {@code events.all} and waits until every partition has a leader. */
    void createTopics(List<String> names) throws InterruptedException {
        NewTopic events = TopicSetup.topics(PARTITIONS, (short) 1, Limits.DEFAULT_COMMAND_MAX_BYTES).stream()
                .filter(topic -> topic.name().equals(Topics.EVENTS_ALL))
                .findFirst()
                .orElseThrow();
        Map<String, String> configs = Map.of(
                TopicConfig.MAX_MESSAGE_BYTES_CONFIG, events.configs().get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG));
        List<NewTopic> topics = names.stream()
                .map(name -> new NewTopic(name, PARTITIONS, (short) 1).configs(configs))
                .toList();
        try {
            admin.createTopics(topics).all().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new StageFailedException("could not create the topics " + names, e);
        }
        for (NewTopic topic : topics) {
            awaitServed(topic.name());
        }
    }

    /** The topic the raw side of {@code stageId} writes to in {@code round}. */
    String rawTopic(String stageId, int round) {
        return "bench.raw." + stageId + ".r" + round;
    }

    /**
     * Waits until the leader of every partition of a new topic answers for it (a list-offsets request goes to the
     * leader). An idempotent producer that meets a partition before its broker applied the creation gets
     * {@code NOT_LEADER_OR_FOLLOWER} for one request while the next one is appended, then out-of-order sequence
     * errors on every retry until its delivery timeout (KAFKA-15591, fixed in the broker after 4.4).
     */
    private void awaitServed(String topic) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            try {
                var partitions = partitionsOf(topic);
                if (partitions.size() == PARTITIONS
                        && partitions.stream()
                                .allMatch(p -> p.leader() != null && !p.isr().isEmpty())) {
                    // The metadata names a leader before the leader itself may serve the partition; its answer to
                    // a list-offsets request is what says it does.
                    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
                    partitions.forEach(p -> latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
                    long left = Math.max(1, deadline - System.nanoTime());
                    admin.listOffsets(latest).all().get(left, TimeUnit.NANOSECONDS);
                    return;
                }
            } catch (ExecutionException | TimeoutException e) {
                log.debug("Topic {} not served yet", topic, e);
            }
            Thread.sleep(POLL.toMillis());
        }
        throw new StageFailedException("the leaders of " + topic + " did not serve all its partitions within 30 s");
    }

    /**
     * Waits until the decider has consumed everything on {@code commands} (at most one record per partition, a
     * transaction marker, behind), or {@link Pace#settle()} passed; returns the seconds waited.
     */
    double settle() throws InterruptedException {
        long start = System.nanoTime();
        long deadline = start + pace.settle().toNanos();
        while (System.nanoTime() < deadline) {
            if (drained(lag(DECIDER_GROUP, Topics.COMMANDS), Map.of(), Map.of(), Map.of())) {
                return (System.nanoTime() - start) / 1e9;
            }
            Thread.sleep(POLL.toMillis());
        }
        log.warn(
                "The decider did not catch up within {}; the next measurement shares the machine with it",
                pace.settle());
        return (System.nanoTime() - start) / 1e9;
    }

    /**
     * Waits until nothing of an earlier load is left in the pipeline (see {@link #drained}): the decider has consumed
     * {@code commands} and, in a full run ({@link Pace#drainWorkers()}) and unless a stage stopped them, the stack's
     * archiver and projection worker have stored {@code events.all} to its end; or {@link Pace#settle()} passed.
     * Every measured load and every raw side starts with it: one started while the workers still caught up with the
     * load before would share the cores with them and be charged for their CPU. Returns the seconds waited.
     */
    double quiet() throws InterruptedException {
        long start = System.nanoTime();
        long deadline = start + pace.settle().toNanos();
        boolean workers = pace.drainWorkers() && !workersStopped;
        try (Connection db = workers ? database() : null;
                PreparedStatement stored = workers ? storedProjectionOffsets(db) : null) {
            while (System.nanoTime() < deadline) {
                long deciderLag = lag(DECIDER_GROUP, Topics.COMMANDS);
                boolean done = workers
                        ? drained(
                                deciderLag,
                                endOffsets(Topics.EVENTS_ALL),
                                committed(ARCHIVER_GROUP, Topics.EVENTS_ALL),
                                offsets(stored))
                        : drained(deciderLag, Map.of(), Map.of(), Map.of());
                if (done) {
                    return waited(start);
                }
                Thread.sleep(POLL.toMillis());
            }
        } catch (SQLException e) {
            throw new StageFailedException("could not read the projection worker's offsets", e);
        }
        log.warn(
                "The pipeline did not drain within {}; the next measurement shares the machine with it", pace.settle());
        return waited(start);
    }

    private double waited(long start) {
        double seconds = (System.nanoTime() - start) / 1e9;
        quietSeconds += seconds;
        return seconds;
    }

    /** The seconds {@link #quiet()} has waited in this run so far, for a stage that times its loads as a whole. */
    double quietSeconds() {
        return quietSeconds;
    }

    /**
     * Whether the pipeline has drained: the decider's lag on {@code commands} summed over its partitions at most
     * one a partition (as {@link #settle()} has always allowed), and the archiver's commits and the projection
     * worker's stored offsets each at {@code ends} of {@code events.all}, partition by partition, but for a
     * transaction marker. Empty {@code ends} leave the workers out. A partition whose last transaction was aborted
     * ends two or more records past what a worker stores, so {@link #quiet()} then waits out the settle and warns.
     */
    static boolean drained(
            long deciderLag, Map<Integer, Long> ends, Map<Integer, Long> archived, Map<Integer, Long> projected) {
        return deciderLag <= PARTITIONS && atEnd(archived, ends) && atEnd(projected, ends);
    }

    /**
     * The statement that reads where the stack's projection worker stands on {@code events.all}: each partition's
     * next offset as the worker stored it with its last batch.
     */
    static PreparedStatement storedProjectionOffsets(Connection db) throws SQLException {
        PreparedStatement stored =
                db.prepareStatement("SELECT partition, next_offset FROM projection.projection_offsets"
                        + " WHERE consumer_group = ? AND topic = ?");
        stored.setString(1, PROJECTION_GROUP);
        stored.setString(2, Topics.EVENTS_ALL);
        return stored;
    }

    /** The offsets {@code stored} (see {@link #storedProjectionOffsets}) reads, by partition. */
    static Map<Integer, Long> offsets(PreparedStatement stored) throws SQLException {
        Map<Integer, Long> offsets = new LinkedHashMap<>();
        try (ResultSet result = stored.executeQuery()) {
            while (result.next()) {
                offsets.put(result.getInt(1), result.getLong(2));
            }
        }
        return offsets;
    }

    /** Every partition done up to its end but for a transaction marker, which no consumer stores past. */
    static boolean atEnd(Map<Integer, Long> done, Map<Integer, Long> ends) {
        return ends.entrySet().stream().allMatch(end -> done.getOrDefault(end.getKey(), 0L) >= end.getValue() - 1);
    }

    /** How many records (and transaction markers) of {@code topic} {@code group} has not committed yet. */
    long lag(String group, String topic) throws InterruptedException {
        return lags(group, topic).values().stream().mapToLong(Long::longValue).sum();
    }

    /** The same by partition. */
    private Map<Integer, Long> lags(String group, String topic) throws InterruptedException {
        Map<Integer, Long> done = committed(group, topic);
        Map<Integer, Long> lags = new TreeMap<>();
        endOffsets(topic).forEach((partition, end) -> lags.put(partition, end - done.getOrDefault(partition, 0L)));
        return lags;
    }

    @Override
    public void close() {
        commands.close();
        admin.close(Duration.ofSeconds(5));
    }
}
