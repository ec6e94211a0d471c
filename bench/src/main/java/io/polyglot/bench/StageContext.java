package io.polyglot.bench;

import io.polyglot.runtime.TopicSetup;
import io.polyglot.schemas.Limits;
import io.polyglot.schemas.Topics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
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

    /** Concurrent batch senders of the throughput stages. */
    static final int BATCH_SENDERS = 4;

    private final Pace pace;
    private final String bootstrap;
    private final List<LogEvent> events;
    private final CommandClient commands;
    private final Admin admin;
    private final Map<String, RecordSample> samples = new java.util.HashMap<>();

    StageContext(Pace pace, String commandUrl, String bootstrap, List<LogEvent> events) {
        this.pace = pace;
        this.bootstrap = bootstrap;
        this.events = events;
        this.commands = new CommandClient(commandUrl);
        this.admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
    }

    Pace pace() {
        return pace;
    }

    CommandClient commands() {
        return commands;
    }

    /** Single commands at {@code ratePerSecond}, open loop: a warm-up, then the measured run. */
    OpenLoop.Latencies openLoop(int ratePerSecond, String tag, boolean async) throws InterruptedException {
        CommandLines single = lines(tag);
        OpenLoop loop = new OpenLoop(ratePerSecond, MAX_IN_FLIGHT);
        loop.run(pace.warmup(), due -> commands.send(single.next(), async));
        return loop.run(pace.measure(), due -> commands.send(single.next(), async));
    }

    /** Batches from {@link #BATCH_SENDERS} senders, each with its own cases: a warm-up, then the measured run. */
    BatchLoad.Result batches(String tag, boolean async) throws InterruptedException {
        BatchLoad load = new BatchLoad(commands, BATCH_SENDERS, pace.batchLines());
        load.run(i -> lines(tag + "-warm-s" + i), async, pace.warmup());
        return load.run(i -> lines(tag + "-s" + i), async, pace.measure());
    }

    /** Fresh commands from the log, tagged so that no other source in this run produces the same ids. */
    CommandLines lines(String tag) {
        return new CommandLines(events, AGGREGATE_TYPE, tag);
    }

    /**
     * A producer on the raw topic of {@code stageId}'s round {@code round} that replays the records our side wrote to
     * {@code ourTopic}; they are read once per run, when first asked for.
     */
    RawProducer rawProducer(String stageId, int round, String ourTopic) {
        RecordSample sample = samples.computeIfAbsent(ourTopic, topic -> RecordSample.of(bootstrap, topic, SAMPLE));
        return new RawProducer(bootstrap, rawTopic(stageId, round), sample);
    }

    /**
     * Creates the raw side's topics of a stage, one per round, configured like {@code events.all} (partitions,
     * record size). The bench creates them before the stage's first round, so that they are served well before a
     * producer meets them.
     */
    void createRawTopics(String stageId, int rounds) throws InterruptedException {
        NewTopic events = TopicSetup.topics(PARTITIONS, (short) 1, Limits.DEFAULT_COMMAND_MAX_BYTES).stream()
                .filter(topic -> topic.name().equals(Topics.EVENTS_ALL))
                .findFirst()
                .orElseThrow();
        Map<String, String> configs = Map.of(
                TopicConfig.MAX_MESSAGE_BYTES_CONFIG, events.configs().get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG));
        List<NewTopic> topics = new java.util.ArrayList<>();
        for (int round = 1; round <= rounds; round++) {
            topics.add(new NewTopic(rawTopic(stageId, round), PARTITIONS, (short) 1).configs(configs));
        }
        try {
            admin.createTopics(topics).all().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new StageFailedException("could not create the raw topics of " + stageId, e);
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
                var partitions = admin.describeTopics(List.of(topic))
                        .allTopicNames()
                        .get(30, TimeUnit.SECONDS)
                        .get(topic)
                        .partitions();
                if (partitions.size() == PARTITIONS
                        && partitions.stream()
                                .allMatch(p -> p.leader() != null && !p.isr().isEmpty())) {
                    return;
                }
            } catch (ExecutionException | TimeoutException e) {
                log.debug("Topic {} not described yet", topic, e);
            }
            Thread.sleep(POLL.toMillis());
        }
        throw new StageFailedException("the partitions of " + topic + " got no leader within 30 s");
    }

    /**
     * Waits until the decider has consumed everything on {@code commands} (at most one record per partition, a
     * transaction marker, behind), or {@link Pace#settle()} passed; returns the seconds waited.
     */
    double settle() throws InterruptedException {
        long start = System.nanoTime();
        long deadline = start + pace.settle().toNanos();
        while (System.nanoTime() < deadline) {
            if (deciderLag() <= PARTITIONS) {
                return (System.nanoTime() - start) / 1e9;
            }
            Thread.sleep(POLL.toMillis());
        }
        log.warn(
                "The decider did not catch up within {}; the next measurement shares the machine with it",
                pace.settle());
        return (System.nanoTime() - start) / 1e9;
    }

    private long deciderLag() throws InterruptedException {
        try {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(DECIDER_GROUP)
                    .partitionsToOffsetAndMetadata()
                    .get(30, TimeUnit.SECONDS);
            var partitions = admin.describeTopics(List.of(Topics.COMMANDS))
                    .allTopicNames()
                    .get(30, TimeUnit.SECONDS)
                    .get(Topics.COMMANDS)
                    .partitions();
            Map<TopicPartition, OffsetSpec> latest = new java.util.HashMap<>();
            partitions.forEach(
                    p -> latest.put(new TopicPartition(Topics.COMMANDS, p.partition()), OffsetSpec.latest()));
            long lag = 0;
            for (var end :
                    admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS).entrySet()) {
                OffsetAndMetadata done = committed.get(end.getKey());
                lag += end.getValue().offset() - (done == null ? 0 : done.offset());
            }
            return lag;
        } catch (ExecutionException | TimeoutException e) {
            throw new StageFailedException("could not read the decider's progress", e);
        }
    }

    @Override
    public void close() {
        commands.close();
        admin.close(Duration.ofSeconds(5));
    }
}
