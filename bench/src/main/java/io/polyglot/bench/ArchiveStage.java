package io.polyglot.bench;

import io.polyglot.archive.store.ArchiveStore;
import io.polyglot.archive.store.ArchiveStoreConfig;
import io.polyglot.archive.store.PutResult;
import io.polyglot.archive.store.SegmentMetadata;
import io.polyglot.runtime.KafkaClientConfig;
import io.polyglot.schemas.Topics;
import io.polyglot.stack.FreePorts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * {@code archive}: events per second sealed and uploaded by the real archiver (the archiver-worker jar as its own
 * process, alone on the stack: the stack's own workers are stopped meanwhile) draining {@code events.all} pre-filled
 * with copies of the pipeline's BPI 2012 events, once with 100-event segments and once with large ones (10,000 events
 * in a full run). Each archiver drains a warm-up fill written before the measured one first, unmeasured, as the raw
 * sides warm up before they measure: a fresh JVM spends its first seconds compiling the SDK's and its own hot code (the
 * warm-up's rate is reported beside). Against: uploading the very segments the archiver stored at 100 (same bytes,
 * same metadata, a create-only PUT with the SHA-256, one after the other, through the archive store) and a plain
 * read-committed {@link KafkaConsumer} reading the events of the large run end to end.
 */
final class ArchiveStage implements BenchStage {
    static final int SMALL_SEGMENT_EVENTS = 100;
    static final int LARGE_SEGMENT_EVENTS = 10_000;

    /**
     * The longest wait for the stack's archiver to store what came before, when the pace's settle is shorter: its
     * start and its idle seal, with room.
     */
    private static final Duration STACK_ARCHIVER_WAIT = Duration.ofSeconds(60);

    /** The archiver's consumer group, fixed in the worker; the bench's archiver is a member like any instance. */
    private static final String ARCHIVER_GROUP = "polyglot-archiver";

    /** The archiver's metrics that leave 0 once its first poll returned events. */
    private static final List<String> STARTED =
            List.of("polyglot_archiver_open_events", "polyglot_events_archived_total", "polyglot_consumer_lag");

    /** What the archiver counts as it stores segments: the events of each. */
    private static final String ARCHIVED = "polyglot_events_archived_total";

    private static final String SMALL = "archived, 100-event segments";
    private static final String LARGE = "archived, large segments";
    private static final String DIRECT = "direct upload, 100-event segments";
    private static final String PLAIN = "plain consumer";

    /** What our side of a round left for its raw side: the bucket of its 100-event segments and both fills. */
    private record Left(String smallBucket, EventPrefill.Filled small, EventPrefill.Filled large) {}

    private final Map<Integer, Left> left = new HashMap<>();

    @Override
    public String id() {
        return "archive";
    }

    @Override
    public String target() {
        return "events/s archived >= 0.7 of uploading the same segments directly at 100-event segments,"
                + " >= 0.5 of a plain consumer at 10,000-event segments";
    }

    @Override
    public void before(StageContext context) throws Exception {
        context.pipelineEvents();
        // The stack's archiver (started again if a stage before stopped it) stores everything first, so the bench's
        // archiver starts where the chains end and every segment it cuts is full.
        // It commits the last events of each chain only at their idle seal (SEGMENT_MAX_IDLE, 5 s), so the wait may
        // last longer than a smoke's settle; stopped earlier, the bench's archiver would read them too, and its drain
        // would end at their idle seal.
        context.ensureStackWorkers();
        Duration wait = context.pace().settle().compareTo(STACK_ARCHIVER_WAIT) > 0
                ? context.pace().settle()
                : STACK_ARCHIVER_WAIT;
        if (!context.awaitCommittedToEnd(ARCHIVER_GROUP, Topics.EVENTS_ALL, wait)) {
            throw new StageFailedException("the stack's archiver did not store what the stages before left in "
                    + Topics.EVENTS_ALL + " within " + wait + ", so the bench's archiver would read it too");
        }
        context.stopStackWorkers();
    }

    @Override
    public Map<String, Figure> ours(StageContext context, int round) throws Exception {
        EventPrefill prefill = new EventPrefill(context.bootstrap(), context.pipelineEvents());
        int large = largeSegmentEvents(context.pace());
        Map<String, Figure> figures = new LinkedHashMap<>();

        String smallBucket = bucket(round, "small");
        EventPrefill.Filled small = archive(context, prefill, smallBucket, SMALL_SEGMENT_EVENTS, SMALL, figures);
        EventPrefill.Filled largeFill = archive(context, prefill, bucket(round, "large"), large, LARGE, figures);
        figures.put("large segment size", new Figure(large, "events"));
        figures.put("events per run", new Figure(small.count(), "events"));
        figures.put(
                "warm-up events per run",
                new Figure(context.pace().workerWarmupPerPartition() * context.partitions(), "events"));

        left.put(round, new Left(smallBucket, small.offsetsOnly(), largeFill.offsetsOnly()));
        return figures;
    }

    /**
     * The size of the large segments at {@code pace}: 10,000 events, or fewer where a partition's warm-up or measured
     * events are fewer, so that the size divides both and every segment is full.
     */
    static int largeSegmentEvents(Pace pace) {
        int perPartition = pace.prefillPerPartition();
        int warmup = pace.workerWarmupPerPartition();
        return Math.min(LARGE_SEGMENT_EVENTS, warmup > 0 ? Math.min(perPartition, warmup) : perPartition);
    }

    /**
     * Fills {@code events.all} with the warm-up and then the measured events and has a fresh archiver drain both into
     * {@code bucket}; returns the measured fill.
     */
    private EventPrefill.Filled archive(
            StageContext context,
            EventPrefill prefill,
            String bucket,
            int segmentEvents,
            String figure,
            Map<String, Figure> figures)
            throws Exception {
        int partitions = context.partitions();
        int warmupEvents =
                prefill.warmUp(Topics.EVENTS_ALL, partitions, context.pace().workerWarmupPerPartition(), bucket);
        EventPrefill.Filled filled =
                prefill.fill(Topics.EVENTS_ALL, partitions, context.pace().prefillPerPartition(), bucket);
        try (ArchiveStore store = new ArchiveStore(storeConfig(context, bucket))) {
            store.ensureBucket();
        }
        int port = FreePorts.pick();
        Map<String, String> env = new LinkedHashMap<>();
        for (String key : List.of(
                "KAFKA_BOOTSTRAP_SERVERS", "S3_ENDPOINT", "S3_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")) {
            env.put(key, context.env().get(key));
        }
        env.put("S3_BUCKET", bucket);
        env.put("AWS_EC2_METADATA_DISABLED", "true");
        env.put("WARM_DIR", context.workDir(bucket).resolve("warm").toString());
        env.put("SEGMENT_MAX_EVENTS", Integer.toString(segmentEvents));
        env.put("HTTP_HOST", "127.0.0.1");
        env.put("HEALTH_PORT", Integer.toString(port));
        try (WorkerProcess archiver = context.startWorker("archiver-" + bucket, "archiver-worker", env, port)) {
            WorkerDrain.Drains drains = WorkerDrain.measure(
                    archiver,
                    STARTED,
                    () -> archiver.metric(ARCHIVED),
                    warmupEvents,
                    () -> storedToEnd(context, filled));
            WorkerDrain.Drain drain = drains.measured();
            figures.put(figure, new Figure(drain.eventsPerSecond(), "events/s"));
            figures.put(figure + ": CPU per event", new Figure(drain.cpuMicrosPerEvent(), "us"));
            drains.warmup()
                    .ifPresent(warmup -> figures.put(
                            figure + ": the fresh archiver's warm-up",
                            new Figure(warmup.eventsPerSecond(), "events/s")));
            figures.put(
                    figure + ": segments", new Figure(archiver.metric("polyglot_segments_sealed_total"), "segments"));
            archiver.close();
            figures.merge(
                    "archiver peak RSS",
                    new Figure(archiver.peakRssKiB() / 1024.0, "MiB"),
                    (a, b) -> a.value() >= b.value() ? a : b);
        }
        return filled;
    }

    /** Whether the archiver committed every partition up to the end of the fill: committed only once stored. */
    private static boolean storedToEnd(StageContext context, EventPrefill.Filled filled) throws InterruptedException {
        Map<Integer, Long> committed = context.committed(ARCHIVER_GROUP, Topics.EVENTS_ALL);
        return filled.end().entrySet().stream()
                .allMatch(end -> committed.getOrDefault(end.getKey(), 0L) >= end.getValue());
    }

    @Override
    public Map<String, Figure> raw(StageContext context, int round) throws Exception {
        Left ours = left.remove(round);
        Map<String, Figure> figures = new LinkedHashMap<>();
        directUpload(context, round, ours.smallBucket(), figures);
        figures.put(PLAIN, new Figure(plainConsumer(context, ours.small(), ours.large()), "events/s"));
        return figures;
    }

    private record Segment(String key, Path file, SegmentMetadata meta) {}

    /**
     * Uploads the segments the archiver stored in {@code sourceBucket} to a fresh bucket, sequentially, create-only
     * with their SHA-256, after a warm-up to another bucket.
     */
    private void directUpload(StageContext context, int round, String sourceBucket, Map<String, Figure> figures) {
        Path folder = context.workDir("direct-r" + round);
        List<Segment> segments = new ArrayList<>();
        try (ArchiveStore source = new ArchiveStore(storeConfig(context, sourceBucket))) {
            Files.createDirectories(folder);
            for (String key : source.list("events/")) {
                SegmentMetadata meta = source.head(key)
                        .orElseThrow(() -> new StageFailedException(key + " carries no segment metadata"));
                Path file = source.get(key, folder.resolve(key.replace('/', '_')));
                segments.add(new Segment(key, file, meta));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (segments.isEmpty()) {
            throw new StageFailedException("the archiver stored no segment in " + sourceBucket);
        }
        try (ArchiveStore warm = new ArchiveStore(storeConfig(context, bucket(round, "direct-warm")));
                ArchiveStore target = new ArchiveStore(storeConfig(context, bucket(round, "direct")))) {
            warm.ensureBucket();
            target.ensureBucket();
            long warmUntil = System.nanoTime() + context.pace().warmup().toNanos();
            for (int i = 0; i < segments.size() && System.nanoTime() < warmUntil; i++) {
                upload(warm, segments.get(i));
            }
            long start = System.nanoTime();
            long events = 0;
            for (Segment segment : segments) {
                upload(target, segment);
                events += segment.meta().eventCount();
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            figures.put(DIRECT, new Figure(events / seconds, "events/s"));
            figures.put("direct upload: segments", new Figure(segments.size(), "segments"));
            figures.put("direct upload: segment size", new Figure(meanBytes(segments), "bytes"));
        }
    }

    private static void upload(ArchiveStore store, Segment segment) {
        PutResult result = store.putIfAbsent(segment.key(), segment.file(), segment.meta());
        if (!(result instanceof PutResult.Created)) {
            throw new StageFailedException("the direct upload of " + segment.key() + " found the key taken");
        }
    }

    private static double meanBytes(List<Segment> segments) {
        return segments.stream()
                .mapToLong(segment -> {
                    try {
                        return Files.size(segment.file());
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                })
                .average()
                .orElse(0);
    }

    /**
     * Events per second a plain read-committed consumer (the project's consumer defaults, nothing tuned) reads from
     * {@code events.all} over the range of {@code measured}, after reading {@code warmup}'s range unrecorded.
     */
    private static double plainConsumer(
            StageContext context, EventPrefill.Filled warmup, EventPrefill.Filled measured) {
        Map<String, Object> config =
                KafkaClientConfig.consumer(context.bootstrap(), "bench-plain-" + UUID.randomUUID(), Map.of());
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config)) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (int p = 0; p < context.partitions(); p++) {
                partitions.add(new TopicPartition(Topics.EVENTS_ALL, p));
            }
            consumer.assign(partitions);
            read(consumer, warmup);
            long start = System.nanoTime();
            long records = read(consumer, measured);
            return records / ((System.nanoTime() - start) / 1e9);
        }
    }

    /** Reads every partition from the first offset of {@code filled} to its end; returns the records read. */
    private static long read(KafkaConsumer<byte[], byte[]> consumer, EventPrefill.Filled filled) {
        filled.first().forEach((p, offset) -> consumer.seek(new TopicPartition(Topics.EVENTS_ALL, p), offset));
        long records = 0;
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (!filled.end().entrySet().stream()
                .allMatch(end ->
                        consumer.position(new TopicPartition(Topics.EVENTS_ALL, end.getKey())) >= end.getValue())) {
            if (System.nanoTime() > deadline) {
                throw new StageFailedException("the plain consumer did not reach the end of the fill within 2 minutes");
            }
            for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                if (record.offset() < filled.end().get(record.partition())) {
                    records++;
                }
            }
        }
        return records;
    }

    private static String bucket(int round, String what) {
        return "bench-archive-r" + round + "-" + what;
    }

    private static ArchiveStoreConfig storeConfig(StageContext context, String bucket) {
        Map<String, String> env = context.env();
        return new ArchiveStoreConfig(
                URI.create(env.get("S3_ENDPOINT")),
                bucket,
                env.get("S3_REGION"),
                env.get("AWS_ACCESS_KEY_ID"),
                env.get("AWS_SECRET_ACCESS_KEY"),
                false);
    }

    @Override
    public List<Ratio> ratios() {
        return List.of(
                new Ratio("archived / direct upload, 100-event segments", SMALL, DIRECT),
                new Ratio("archived, large segments / plain consumer", LARGE, PLAIN));
    }

    @Override
    public boolean met(Map<String, Summary> figures, Map<String, Summary> ratios) {
        return ratios.get("archived / direct upload, 100-event segments").median() >= 0.7
                && ratios.get("archived, large segments / plain consumer").median() >= 0.5;
    }
}
