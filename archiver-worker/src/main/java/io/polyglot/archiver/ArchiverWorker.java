package io.polyglot.archiver;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.polyglot.archive.store.ArchiveStore;
import io.polyglot.runtime.AdminRoutes;
import io.polyglot.runtime.DependencyCheck;
import io.polyglot.runtime.KafkaClientConfig;
import io.polyglot.runtime.catalog.SchemaCatalog;
import io.polyglot.runtime.deadletter.DeadLetterLedger;
import io.polyglot.runtime.deadletter.DeadLetterPublisher;
import io.polyglot.runtime.deadletter.DeadLetterReader;
import io.polyglot.schemas.EventCodec;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One archiver instance: the consumer of group {@code polyglot-archiver}, the segment builder, the warm tier and the
 * archive store, wired together; the poll loop runs on a thread of its own.
 */
final class ArchiverWorker implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ArchiverWorker.class);

    private static final Duration POLL_TIMEOUT = Duration.ofMillis(200);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);

    /**
     * Test only, never set in production: with this system property {@code true}, the poll loop stalls for good
     * right after a turn that stored a segment and before that turn's commit, so a test can kill the process with
     * SIGKILL exactly between upload and commit.
     */
    static final String STALL_AFTER_UPLOAD_PROPERTY = "polyglot.archiver.test.stallAfterUpload";

    /** Where the open segments' journals live, beside the {@code events/} folder of the warm tier. */
    private static final String JOURNAL_FOLDER = "journal";

    /** Where a retried dead letter's late segment is written before its upload, beside the journal. */
    private static final String LATE_FOLDER = "late";

    /**
     * How often readiness may ask the bucket whether it answers, and how long it waits: a store that hangs would
     * otherwise hold each readiness request for the client's socket timeout.
     */
    private static final Duration BUCKET_CHECK_INTERVAL = Duration.ofSeconds(2);

    private static final Duration BUCKET_CHECK_TIMEOUT = Duration.ofSeconds(1);

    private final WarmDirectoryLock warmLock;
    private final ArchiveStore store;
    private final DependencyCheck bucketCheck;
    private final ArchiverLoop loop;
    private final KafkaClientMetrics consumerMetrics;
    private final ArchiverDeadLetters deadLetters;
    private final AdminRoutes admin;
    private final Thread thread;
    private volatile boolean failed;

    private ArchiverWorker(
            WarmDirectoryLock warmLock,
            ArchiveStore store,
            ArchiverLoop loop,
            KafkaClientMetrics consumerMetrics,
            ArchiverDeadLetters deadLetters,
            AdminRoutes admin) {
        this.warmLock = warmLock;
        this.deadLetters = deadLetters;
        this.admin = admin;
        this.store = store;
        this.bucketCheck = new DependencyCheck(
                "The archive bucket", store::reachable, BUCKET_CHECK_INTERVAL, BUCKET_CHECK_TIMEOUT, () -> {});
        this.loop = loop;
        this.consumerMetrics = consumerMetrics;
        this.thread = new Thread(this::runLoop, "archiver-loop");
    }

    /** The least bytes a fetch of {@code events.all} waits for, unless {@code KAFKA_CONSUMER_FETCH_MIN_BYTES} says. */
    static final int FETCH_MIN_BYTES = 262_144;

    /**
     * {@code overrides} with {@link #FETCH_MIN_BYTES} where they do not set {@code fetch.min.bytes}. The archiver
     * writes segments of many events and is on no reader's latency path, so a fetch waits for a quarter of a MiB or for
     * {@code fetch.max.wait.ms} (500 ms by default) instead of answering with whatever single event came: at a few
     * thousand events a second, the broker and the archiver then handle a fetch every few hundred milliseconds instead
     * of one per event or two.
     */
    static Map<String, Object> withBulkFetches(Map<String, Object> overrides) {
        Map<String, Object> config = new HashMap<>(overrides);
        config.putIfAbsent(ConsumerConfig.FETCH_MIN_BYTES_CONFIG, FETCH_MIN_BYTES);
        return config;
    }

    /**
     * Creates the bucket if needed, subscribes and starts polling.
     *
     * @throws io.polyglot.runtime.InvalidSettingException when a consumer or producer override would weaken the
     *     guarantees
     * @throws io.polyglot.archive.store.ArchiveStoreException when the bucket cannot be reached or created
     */
    static ArchiverWorker start(ArchiverSettings settings, MeterRegistry registry, Clock clock) {
        // Checked before anything is contacted: a consumer that would auto-commit or read uncommitted is refused.
        Map<String, Object> consumerConfig = KafkaClientConfig.consumer(
                settings.bootstrapServers(), settings.group(), withBulkFetches(settings.consumerOverrides()));
        KafkaClientConfig.producer(
                settings.bootstrapServers(), settings.commandMaxBytes(), settings.producerOverrides());
        WarmDirectoryLock warmLock = WarmDirectoryLock.claim(settings.warmDir());
        ArchiveStore store = new ArchiveStore(settings.store());
        try {
            store.ensureBucket();
        } catch (RuntimeException e) {
            store.close();
            warmLock.close();
            throw e;
        }
        DeadLetterReader deadLetterReader = new DeadLetterReader(
                settings.bootstrapServers(),
                settings.deadLetterTopic(),
                settings.deadLetterTimeout(),
                settings.consumerOverrides());
        DeadLetterLedger ledger = new DeadLetterLedger(deadLetterReader, settings.group());
        DeadLetterPublisher publisher = DeadLetterPublisher.create(
                settings.bootstrapServers(),
                settings.commandMaxBytes(),
                settings.producerOverrides(),
                settings.deadLetterTopic(),
                ledger,
                settings.deadLetterTimeout());
        EventCodec codec = EventCodec.withCatalog(new SchemaCatalog(
                settings.bootstrapServers(),
                settings.schemasTopic(),
                settings.consumerOverrides(),
                SchemaCatalog.DEFAULT_REFRESH_TIMEOUT,
                settings.schemaRefreshInterval(),
                clock));
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerConfig);
        KafkaClientMetrics consumerMetrics = new KafkaClientMetrics(consumer);
        consumerMetrics.bindTo(registry);
        ArchiverMetrics metrics = new ArchiverMetrics(registry, settings.group());
        ArchiverDeadLetters deadLetters = new ArchiverDeadLetters(publisher, ledger, metrics);
        ArchiverLoop loop = new ArchiverLoop(
                consumer,
                settings.topic(),
                settings.group(),
                new SegmentBuilder(
                        settings.segmentMaxEvents(),
                        settings.segmentMaxIdle(),
                        settings.warmDir().resolve(JOURNAL_FOLDER)),
                new SegmentArchiver(
                        store,
                        new WarmTier(settings.warmDir(), settings.topic(), settings.warmMaxBytes(), codec::schema),
                        metrics),
                metrics,
                clock,
                POLL_TIMEOUT,
                new StoredChains(store, clock, StoredChains.ABANDONED_UPLOAD_AGE)::tails,
                settings.bufferMaxBytes(),
                settings.releaseTimeout(),
                Boolean.getBoolean(STALL_AFTER_UPLOAD_PROPERTY) ? ArchiverWorker::stallForATest : () -> {},
                new RecordDecoder(codec),
                deadLetters);
        DeadLetterAdmin admin = new DeadLetterAdmin(
                deadLetterReader,
                settings.group(),
                settings.topic(),
                new RecordDecoder(codec),
                store,
                settings.warmDir().resolve(LATE_FOLDER),
                clock);
        AdminRoutes routes = AdminRoutes.byPrefix(Map.of(
                "/admin/dead-letters",
                admin,
                VerificationAdmin.PREFIX,
                new VerificationAdmin(store, settings, deadLetterReader, clock)));
        ArchiverWorker worker = new ArchiverWorker(warmLock, store, loop, consumerMetrics, deadLetters, routes);
        worker.thread.start();
        log.info("Archiver started on {} as group {}", settings.topic(), settings.group());
        return worker;
    }

    /** The dead-letter and verification endpoints, for the health and metrics endpoint's {@code /admin/} routes. */
    AdminRoutes admin() {
        return admin;
    }

    /** Ready when the loop polls, no chain diverged and the bucket answers (see {@link DependencyCheck}). */
    boolean ready() {
        return !failed && loop.healthy() && bucketCheck.passes();
    }

    /** Waits until the poll loop ends, because it was stopped or because it failed. */
    void awaitLoopEnd() throws InterruptedException {
        thread.join();
    }

    /** Whether the poll loop ended with an error. */
    boolean failed() {
        return failed;
    }

    /** Uploads the sealed segments and commits them, seals and uploads the open ones uncommitted, and closes. */
    @Override
    public void close() {
        loop.stop();
        try {
            if (!loop.awaitStopped(STOP_TIMEOUT)) {
                log.error("The archiver loop did not stop within {}", STOP_TIMEOUT);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            consumerMetrics.close();
            deadLetters.close();
            bucketCheck.close();
            store.close();
            warmLock.close();
        }
    }

    /** The test hook of {@link #STALL_AFTER_UPLOAD_PROPERTY}: parks the loop until the process is killed. */
    private static void stallForATest() {
        log.warn(
                "Test hook {}: stalled between upload and commit until the process is killed",
                STALL_AFTER_UPLOAD_PROPERTY);
        while (true) {
            LockSupport.park();
        }
    }

    private void runLoop() {
        try {
            loop.run();
        } catch (RuntimeException e) {
            failed = true;
            log.error("The archiver loop stopped on an error", e);
        }
    }
}
