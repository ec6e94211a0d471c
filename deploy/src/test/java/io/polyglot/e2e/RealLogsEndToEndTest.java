package io.polyglot.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.polyglot.archive.store.ArchiveStore;
import io.polyglot.deploy.ArchiveVerification;
import io.polyglot.deploy.ComponentStatus;
import io.polyglot.deploy.PolyglotCli;
import io.polyglot.deploy.PolyglotStack;
import io.polyglot.runtime.DatabaseUrl;
import io.polyglot.runtime.KafkaClientConfig;
import io.polyglot.schemas.EventCodec;
import io.polyglot.schemas.ReadModelViews;
import io.polyglot.schemas.Topics;
import io.polyglot.schemas.avro.EventEnvelope;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import picocli.CommandLine;

/**
 * The whole pipeline on real input: a stack started the way {@code ./polyglot up} starts it (its own home folder,
 * free ports), the BPI 2012 and helpdesk logs and the weather readings imported through the HTTP API by the importer as
 * its own process, then
 * the PostgreSQL views, the archive in S3Proxy and the topic checked against the counts the logs are known to have.
 * Later issues add their checks to this same run instead of importing the logs again: during the first BPI 2012
 * import the archiver-worker is killed with SIGKILL five times at seeded random moments and started again by
 * {@code up()} (seed from the system property {@code e2e.killSeed}, else the clock; printed with the figures).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RealLogsEndToEndTest {

    private static final long BPI_CASES = 13_087;
    private static final long BPI_EVENTS = 262_200;
    private static final BigDecimal BPI_AMOUNT_REQUESTED = new BigDecimal("177634511");
    private static final long HELPDESK_CASES = 4_580;
    private static final long HELPDESK_EVENTS = 21_348;
    private static final long WEATHER_STATIONS = 3;
    private static final long WEATHER_EVENTS = 26_115;
    private static final long ALL_EVENTS = BPI_EVENTS + HELPDESK_EVENTS + WEATHER_EVENTS;
    private static final List<String> VIEWS = ReadModelViews.REBUILDABLE;
    private static final List<String> DEAD_LETTER_GROUPS = List.of("polyglot-archiver", "polyglot-projection");
    private static final List<String> WEATHER_COLUMNS =
            List.of("--case-column", "origin", "--time-column", "time_hour", "--activity", "WeatherObserved");
    private static final Duration SETTLE = Duration.ofMinutes(5);
    private static final int ARCHIVER_KILLS = 5;

    private final Path root =
            Path.of(System.getProperty("polyglot.root", ".")).toAbsolutePath().normalize();
    private final Path datasets = root.resolveSibling("shared").resolve("datasets");
    private final Map<String, String> figures = new LinkedHashMap<>();
    private final Map<String, String> importOutputs = new LinkedHashMap<>();

    private Path home;
    private PolyglotStack stack;
    private Map<String, String> env;
    private ArchiverKills archiverKills;
    private Map<String, HostileRecords.Placed> hostile;
    private int rebuildDuringImportsExit = -1;

    @BeforeAll
    void startTheStackAndImportBothLogs() throws Exception {
        home = Files.createTempDirectory("polyglot-e2e");
        stack = PolyglotStack.at(home, root).reportingTo(line -> System.out.println("stack: " + line));
        long started = System.nanoTime();
        stack.up();
        figures.put("stack up", seconds(System.nanoTime() - started));
        env = stack.env();

        long seed = Long.getLong("e2e.killSeed", System.nanoTime());
        System.out.println("archiver kill seed " + seed + " (replay with -De2e.killSeed=" + seed + ")");
        archiverKills = new ArchiverKills(stack, seed, ARCHIVER_KILLS, BPI_EVENTS);
        // One batch awaiting its answer at a time: with the importer's default of eight the whole log is on the topic
        // in about 35 s, less than the five kills take with the 5 to 8 s restart after each, so the last kills fell
        // after the import had ended. With one, the import takes about twice as long and the kills fall inside it.
        importLog(
                "LoanApplication",
                datasets.resolve("bpic2012/bpic2012.xes.gz"),
                BPI_EVENTS,
                "",
                archiverKills,
                List.of("--in-flight=1"));
        figures.put("archiver kill seed", Long.toString(seed));
        for (ArchiverKills.Kill kill : archiverKills.kills()) {
            figures.put("archiver kill " + kill.number(), kill.describe());
        }
        // ./polyglot projection rebuild of every view while the next two logs are imported
        long rebuildStarted = System.nanoTime();
        CompletableFuture<Integer> rebuild = CompletableFuture.supplyAsync(this::rebuildEveryView);
        importLog("HelpdeskTicket", datasets.resolve("helpdesk/helpdesk.xes.gz"), HELPDESK_EVENTS, "", null);
        importLog(
                "WeatherStation",
                datasets.resolve("weather/weather.csv.gz"),
                WEATHER_EVENTS,
                "",
                null,
                WEATHER_COLUMNS);
        rebuildDuringImportsExit = rebuild.get(10, TimeUnit.MINUTES);
        figures.put("projection rebuild during the imports", seconds(System.nanoTime() - rebuildStarted));
        // The same file again: the decider answers every command id with its first decision and produces nothing.
        importLog("LoanApplication", datasets.resolve("bpic2012/bpic2012.xes.gz"), BPI_EVENTS, " again", null);
        hostile = HostileRecords.produce(env.get("KAFKA_BOOTSTRAP_SERVERS"));
        awaitArchiverCaughtUp();
        awaitProjectionCaughtUp();
    }

    @AfterAll
    void reportFiguresAndStopTheStack() throws IOException {
        try {
            if (stack != null) {
                for (ComponentStatus component : stack.status()) {
                    if (component.pid() != null) {
                        figures.put("peak RSS " + component.name(), peakRss(component.pid()));
                    }
                }
            }
            String report = figures.entrySet().stream()
                    .map(e -> "| " + e.getKey() + " | " + e.getValue() + " |")
                    .collect(Collectors.joining("\n", "| figure | value |\n| --- | --- |\n", "\n"));
            System.out.println(report);
            Path out = root.resolve("deploy/target/e2e-figures.md");
            Files.createDirectories(out.getParent());
            Files.writeString(out, report);
        } finally {
            if (stack != null) {
                keepTheLogs(stack.home().resolve("logs"), root.resolve("deploy/target/e2e-logs"));
                stack.down(true);
            }
        }
    }

    /** Copies the stack's log files where a failed run can still be read once the stack's home is wiped. */
    private static void keepTheLogs(Path logs, Path kept) throws IOException {
        if (!Files.isDirectory(logs)) {
            return;
        }
        Files.createDirectories(kept);
        try (Stream<Path> files = Files.list(logs)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                Files.copy(file, kept.resolve(file.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    @Test
    void everyServiceOfTheStackWantsItsTokenAndNoLogFileHoldsIt() throws Exception {
        // given the stack's token, and the ports of the command service and the archiver's admin endpoint
        String token = env.get("POLYGLOT_TOKEN");
        int archiverPort = stack.status().stream()
                .filter(component -> component.name().equals("archiver-worker"))
                .findFirst()
                .orElseThrow()
                .port();
        String archiver = "http://127.0.0.1:" + archiverPort;
        String aggregate = env.get("COMMAND_URL") + "/v1/aggregates/LoanApplication/173688";

        // when / then: health is open, everything else answers only the token
        assertThat(status(env.get("COMMAND_URL") + "/health/ready", null)).isEqualTo(200);
        assertThat(status(aggregate, null)).isEqualTo(401);
        assertThat(status(aggregate, "Bearer " + token + "x")).isEqualTo(401);
        assertThat(status(aggregate, "Bearer " + token)).isEqualTo(200);
        assertThat(status(archiver + "/health/ready", null)).isEqualTo(200);
        assertThat(status(archiver + "/admin/dead-letters", null)).isEqualTo(401);
        assertThat(status(archiver + "/admin/dead-letters", "Bearer " + token)).isEqualTo(200);

        // and no file under the stack's log folder, nor any import's log, holds the token
        List<Path> logFiles = new ArrayList<>();
        try (var files = Files.walk(home.resolve("logs"))) {
            files.filter(Files::isRegularFile).forEach(logFiles::add);
        }
        try (var files = Files.list(home)) {
            files.filter(file -> file.getFileName().toString().startsWith("import-"))
                    .forEach(logFiles::add);
        }
        byte[] needle = token.getBytes(StandardCharsets.US_ASCII);
        List<Path> holding = new ArrayList<>();
        for (Path file : logFiles) {
            if (contains(Files.readAllBytes(file), needle)) {
                holding.add(file);
            }
        }
        assertThat(logFiles).hasSizeGreaterThanOrEqualTo(4);
        assertThat(holding).isEmpty();
    }

    private static int status(String url, String authorization) throws Exception {
        java.net.http.HttpRequest.Builder request =
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(url)).timeout(Duration.ofSeconds(30));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return java.net.http.HttpClient.newHttpClient()
                .send(request.build(), java.net.http.HttpResponse.BodyHandlers.discarding())
                .statusCode();
    }

    private static boolean contains(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    @Test
    void theArchiverWasKilledFiveTimesDuringTheFirstBpiImportAndOnlyItWasStartedAgain() {
        List<ArchiverKills.Kill> kills = archiverKills.kills();

        assertThat(kills)
                .as("kills at offsets %s, seed %d", archiverKills.moments(), archiverKills.seed())
                .hasSizeGreaterThanOrEqualTo(ARCHIVER_KILLS);
        assertThat(kills).extracting(ArchiverKills.Kill::killedPid).doesNotHaveDuplicates();
        for (ArchiverKills.Kill kill : kills) {
            assertThat(kill.importRunning())
                    .as("kill %d came while the import ran", kill.number())
                    .isTrue();
            assertThat(ArchiverKills.isGone(kill.killedPid()))
                    .as("pid %d of kill %d is gone", kill.killedPid(), kill.number())
                    .isTrue();
            assertThat(kill.restartedPid())
                    .as("kill %d restarted", kill.number())
                    .isNotNull();
            assertThat(kill.restartedPid()).isNotEqualTo(kill.killedPid());
            assertThat(kill.othersAfter())
                    .as("up() after kill %d left every other process as it was", kill.number())
                    .isEqualTo(kill.othersBefore());
        }
        for (int i = 1; i < kills.size(); i++) {
            assertThat(kills.get(i).killedPid())
                    .as("kill %d ended the process the restart before it started", i + 1)
                    .isEqualTo(kills.get(i - 1).restartedPid());
            assertThat(kills.get(i).topicOffsets())
                    .isGreaterThan(kills.get(i - 1).topicOffsets());
        }
    }

    @Test
    void theSecondBpiImportSaysThatEveryCommandWasDecidedBeforeAndRecordedNothing() {
        assertThat(importOutputs.get("LoanApplication")).contains("accepted  262,200");
        assertThat(importOutputs.get("LoanApplication again"))
                .contains("accepted  262,200 (262,200 of them decided by an earlier request, of an earlier run or an"
                        + " earlier attempt of this one: recorded then, not again now)");
    }

    @Test
    void loanApplicationsHoldEveryCaseOfTheBpiLog() throws SQLException {
        await().atMost(SETTLE)
                .pollInterval(Duration.ofSeconds(1))
                .untilAsserted(() -> assertThat(
                                query("SELECT count(*), coalesce(sum(event_count), 0)::bigint FROM loan_applications"))
                        .containsExactly(BPI_CASES, BPI_EVENTS));

        List<Object> amounts = query("SELECT sum(amount_requested) FROM loan_applications");
        assertThat((BigDecimal) amounts.get(0)).isEqualByComparingTo(BPI_AMOUNT_REQUESTED);
        assertThat(query("SELECT count(*) FROM loan_applications WHERE submitted_at IS NULL OR status IS NULL"))
                .containsExactly(0L);
        assertThat(query("SELECT count(*) FROM loan_applications WHERE status NOT LIKE 'A\\_%'"))
                .containsExactly(0L);
    }

    @Test
    void loanActivityCountsAddUpToTheLog() throws SQLException {
        await().atMost(SETTLE)
                .pollInterval(Duration.ofSeconds(1))
                .untilAsserted(
                        () -> assertThat(query("SELECT coalesce(sum(events), 0)::bigint, count(DISTINCT activity)"
                                        + " FROM loan_activity_counts"))
                                .containsExactly(BPI_EVENTS, 24L));

        assertThat(query("SELECT events FROM loan_activity_counts"
                        + " WHERE activity = 'A_SUBMITTED' AND lifecycle = 'COMPLETE'"))
                .containsExactly(BPI_CASES);
    }

    @Test
    void helpdeskTicketsHoldEveryTicketOfTheHelpdeskLog() throws SQLException {
        await().atMost(SETTLE)
                .pollInterval(Duration.ofSeconds(1))
                .untilAsserted(() -> assertThat(
                                query("SELECT count(*), coalesce(sum(event_count), 0)::bigint FROM helpdesk_tickets"))
                        .containsExactly(HELPDESK_CASES, HELPDESK_EVENTS));

        assertThat(query("SELECT count(*) FROM helpdesk_tickets WHERE opened_at > last_event_at"))
                .containsExactly(0L);
    }

    @Test
    void aRebuildDuringTheImportsSucceededAndAnotherOneReproducesEveryViewExactly() throws SQLException {
        assertThat(rebuildDuringImportsExit)
                .as("exit status of the rebuild during the imports")
                .isZero();
        Map<String, Object> before = viewFingerprints();

        long started = System.nanoTime();
        int exit = rebuildEveryView();
        figures.put("projection rebuild of every view", seconds(System.nanoTime() - started));

        assertThat(exit).isZero();
        assertThat(viewFingerprints()).isEqualTo(before);
    }

    @Test
    void theReadOnlyLoginReadsEveryViewAsTheWorkerSeesItAfterTheRebuildAndChangesNothing() throws SQLException {
        // given: the rebuild during the imports swapped in new tables behind every view
        assertThat(rebuildDuringImportsExit).isZero();
        String reader = env.get("READER_DATABASE_URL");

        for (String view : VIEWS) {
            // when
            String count = "SELECT count(*) FROM " + view;

            // then
            assertThat(query(reader, count)).as(view).isEqualTo(query(count)).isNotEqualTo(List.of(0L));
        }
        assertThat(catchThrowableOfType(() -> query(reader, "DELETE FROM loan_applications"), SQLException.class)
                        .getSQLState())
                .as("SQLSTATE of a delete through the read-only login")
                .isEqualTo("42501");
        assertThat(catchThrowableOfType(
                                () -> query(reader, "SELECT count(*) FROM projection.projection_offsets"),
                                SQLException.class)
                        .getSQLState())
                .as("SQLSTATE of a read of the worker's own tables through the read-only login")
                .isEqualTo("42501");
    }

    /** Per view, an MD5 over its rows in a fixed order, and its row count. */
    private Map<String, Object> viewFingerprints() throws SQLException {
        Map<String, Object> fingerprints = new LinkedHashMap<>();
        for (String view : VIEWS) {
            fingerprints.put(
                    view,
                    query("SELECT md5(coalesce(string_agg(v::text, '|' ORDER BY v::text), '')), count(*) FROM " + view
                            + " v"));
        }
        return fingerprints;
    }

    private int rebuildEveryView() {
        StringWriter out = new StringWriter();
        CommandLine cli = PolyglotCli.commandLine(home, root);
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(out, true));
        int exit = cli.execute("projection", "rebuild");
        System.out.println("./polyglot projection rebuild: exit " + exit + "\n" + out);
        return exit;
    }

    @Test
    void theViewsOfTheRealLogsHoldTheirKnownCounts() throws SQLException {
        await().atMost(SETTLE)
                .pollInterval(Duration.ofSeconds(1))
                .untilAsserted(() -> assertThat(query("SELECT sum(readings) FROM weather_daily"))
                        .containsExactly(new BigDecimal(WEATHER_EVENTS)));
        assertThat(query("SELECT count(*), count(DISTINCT station) FROM weather_daily"))
                .containsExactly(1_092L, WEATHER_STATIONS);
        assertThat(query("SELECT count(*) FROM loan_offers")).containsExactly(7_030L);
        assertThat(query("SELECT count(*) FROM loan_work_items")).containsExactly(71_376L);
        assertThat(query("SELECT count(*) FROM loan_funnel")).containsExactly(10L);
        assertThat(query("SELECT applications FROM loan_funnel WHERE stage = 'A_SUBMITTED'"))
                .containsExactly(BPI_CASES);
        assertThat(query("SELECT sum(events) FROM helpdesk_activity_durations"))
                .containsExactly(new BigDecimal(HELPDESK_EVENTS));
    }

    @Test
    void theArchiveHoldsEveryCommittedEventExactlyOnceInSoundSegments() throws Exception {
        // when: ./polyglot archive verify, as a user runs it against this stack
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = PolyglotCli.commandLine(home, root);
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        long started = System.nanoTime();
        int exitCode = cli.execute("archive", "verify");
        System.out.println("./polyglot archive verify\n" + out + err);

        // then
        assertThat(exitCode).as(out + "\n" + err).isZero();
        Matcher storedAs = Pattern.compile("Result stored as (\\S+)").matcher(out.toString());
        assertThat(storedAs.find()).as(out.toString()).isTrue();
        JsonNode report;
        try (ArchiveStore store = ArchiveVerification.store(env);
                InputStream in = store.get(storedAs.group(1))) {
            report = new ObjectMapper().readTree(in);
        }
        figures.put(
                "archive verify",
                seconds(System.nanoTime() - started) + " for "
                        + report.get("segments").asInt() + " segments");
        assertThat(report.get("problems")).isEmpty();
        // every record of the topic, the hostile ones included: each of those is the archiver's dead letter
        assertThat(report.get("committedEventsChecked").asLong()).isEqualTo(ALL_EVENTS + hostile.size());
        assertThat(report.at("/deadLetters/pending").asLong()).isEqualTo(hostile.size());
        assertThat(report.get("lateSegments").asInt()).isZero();
        assertThat(report.at("/byAggregateType/LoanApplication/events").asLong())
                .isEqualTo(BPI_EVENTS);
        assertThat(report.at("/byAggregateType/HelpdeskTicket/events").asLong()).isEqualTo(HELPDESK_EVENTS);
        assertThat(report.at("/byAggregateType/WeatherStation/events").asLong()).isEqualTo(WEATHER_EVENTS);
        assertThat(report.get("segments").asInt()).isGreaterThanOrEqualTo((int) (ALL_EVENTS / 100));
    }

    @Test
    void eachHostileRecordIsADeadLetterOnceForEachWorkersGroupAndNothingElseIs() {
        Map<String, Map<HostileRecords.Placed, Integer>> deadLetters = new HashMap<>();
        readWhole(Topics.EVENTS_DLQ, record -> {
            HostileRecords.Placed source = new HostileRecords.Placed(
                    Integer.parseInt(header(record, "dlq.source.partition")),
                    Long.parseLong(header(record, "dlq.source.offset")));
            deadLetters
                    .computeIfAbsent(header(record, "dlq.group"), group -> new HashMap<>())
                    .merge(source, 1, Integer::sum);
        });
        Map<HostileRecords.Placed, Integer> onceEach = new HashMap<>();
        hostile.values().forEach(placed -> onceEach.put(placed, 1));
        assertThat(deadLetters).containsOnlyKeys(DEAD_LETTER_GROUPS);
        for (String group : DEAD_LETTER_GROUPS) {
            assertThat(deadLetters.get(group)).as(group).isEqualTo(onceEach);
        }
    }

    /** Hands every record of {@code topic}, from its start to its end at the time of the call, to {@code each}. */
    private void readWhole(String topic, java.util.function.Consumer<ConsumerRecord<byte[], byte[]>> each) {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(KafkaClientConfig.consumer(
                env.get("KAFKA_BOOTSTRAP_SERVERS"), "e2e-reader-" + UUID.randomUUID(), Map.of()))) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < ends.get(p))) {
                consumer.poll(Duration.ofSeconds(1)).forEach(each);
            }
        }
    }

    private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
        var header = record.headers().lastHeader(name);
        assertThat(header)
                .as("header %s of dead letter %s", name, record.offset())
                .isNotNull();
        return new String(header.value(), StandardCharsets.UTF_8);
    }

    @Test
    void theTopicHoldsEveryImportedEventOnceWithVersionsOneToNPerAggregate() {
        Map<String, Long> lastVersion = new HashMap<>();
        Map<String, Integer> partitionOf = new HashMap<>();
        long[] records = {0};
        List<String> problems = new ArrayList<>();
        readWhole(Topics.EVENTS_ALL, record -> {
            if (hostile.containsValue(new HostileRecords.Placed(record.partition(), record.offset()))) {
                return;
            }
            records[0]++;
            EventEnvelope event = EventCodec.standard().decode(record.value());
            String aggregate = event.getAggregateType() + "/" + event.getAggregateId();
            long expected = lastVersion.getOrDefault(aggregate, 0L) + 1;
            if (event.getAggregateVersion() != expected && problems.size() < 5) {
                problems.add(
                        aggregate + " has version " + event.getAggregateVersion() + " where " + expected + " was next");
            }
            lastVersion.put(aggregate, event.getAggregateVersion());
            Integer earlier = partitionOf.putIfAbsent(aggregate, record.partition());
            if (earlier != null && earlier != record.partition() && problems.size() < 5) {
                problems.add(aggregate + " is in partitions " + earlier + " and " + record.partition());
            }
        });

        assertThat(problems).isEmpty();
        assertThat(records[0]).isEqualTo(ALL_EVENTS);
        assertThat(lastVersion).hasSize((int) (BPI_CASES + HELPDESK_CASES + WEATHER_STATIONS));
    }

    /** Runs the importer as its own process; {@code kills}, when given, plays its kills while the import runs. */
    private void importLog(String type, Path file, long expectedEvents, String run, ArchiverKills kills)
            throws Exception {
        importLog(type, file, expectedEvents, run, kills, List.of());
    }

    private void importLog(
            String type, Path file, long expectedEvents, String run, ArchiverKills kills, List<String> options)
            throws Exception {
        Path log = home.resolve("import-" + type + run.replace(' ', '-') + ".log");
        List<String> command = new ArrayList<>(List.of(
                javaBin(),
                "-jar",
                root.resolve("importer/target/importer.jar").toString(),
                "--type",
                type,
                "--url",
                env.get("COMMAND_URL"),
                "--progress",
                "off"));
        command.addAll(options);
        command.add(file.toString());
        long started = System.nanoTime();
        ProcessBuilder builder =
                new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        // The token travels in the environment, as ./polyglot import passes it, never on the command line.
        builder.environment().put("POLYGLOT_TOKEN", env.get("POLYGLOT_TOKEN"));
        Process process = builder.start();
        if (kills != null) {
            try (Admin admin = admin()) {
                kills.during(process, () -> topicOffsets(admin), started);
            }
        }
        boolean finished = process.waitFor(10, TimeUnit.MINUTES);
        long elapsed = System.nanoTime() - started;
        String output = Files.readString(log, StandardCharsets.UTF_8);
        System.out.println("import " + type + ":\n" + output);
        importOutputs.put(type + run, output);
        assertThat(finished)
                .as("the import of %s finished within 10 minutes", type)
                .isTrue();
        assertThat(process.exitValue())
                .as("exit status of the import of %s:%n%s", type, output)
                .isZero();
        figures.put("import " + type + run, seconds(elapsed));
        figures.put("import " + type + run + " rate", Math.round(expectedEvents / (elapsed / 1e9)) + " events/s");
    }

    /**
     * The projection's stored next offsets (committed with the views) past the last record of every partition; the
     * topic's end offsets lie beyond a partition's last transaction marker, which holds nothing to apply.
     */
    private void awaitProjectionCaughtUp() {
        long started = System.nanoTime();
        Map<Integer, Long> pastLastRecord = new HashMap<>();
        readWhole(
                Topics.EVENTS_ALL, record -> pastLastRecord.merge(record.partition(), record.offset() + 1, Math::max));
        await().atMost(SETTLE).pollInterval(Duration.ofSeconds(1)).until(() -> {
            List<Object> stored = query("SELECT partition, next_offset FROM projection.projection_offsets"
                    + " WHERE consumer_group = 'polyglot-projection' AND topic = 'events.all'");
            Map<Integer, Long> applied = new HashMap<>();
            for (int i = 0; i < stored.size(); i += 2) {
                applied.put(((Number) stored.get(i)).intValue(), ((Number) stored.get(i + 1)).longValue());
            }
            return pastLastRecord.entrySet().stream()
                    .allMatch(last -> applied.getOrDefault(last.getKey(), 0L) >= last.getValue());
        });
        figures.put("projection caught up after imports", seconds(System.nanoTime() - started));
    }

    /** The archiver commits only what is stored, so committed = end on every partition means all is in S3. */
    private void awaitArchiverCaughtUp() {
        long started = System.nanoTime();
        await().atMost(SETTLE).pollInterval(Duration.ofSeconds(1)).until(() -> {
            try (Admin admin = admin()) {
                Map<TopicPartition, Long> ends = endOffsets(admin);
                Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets("polyglot-archiver")
                        .partitionsToOffsetAndMetadata()
                        .get(30, TimeUnit.SECONDS);
                return ends.entrySet().stream().allMatch(end -> {
                    OffsetAndMetadata done = committed.get(end.getKey());
                    return end.getValue() == 0 || (done != null && done.offset() >= end.getValue());
                });
            }
        });
        figures.put("archive caught up after imports", seconds(System.nanoTime() - started));
    }

    private long topicOffsets(Admin admin) {
        try {
            return endOffsets(admin).values().stream()
                    .mapToLong(Long::longValue)
                    .sum();
        } catch (Exception e) {
            throw new IllegalStateException("could not read the end offsets of " + Topics.EVENTS_ALL, e);
        }
    }

    private Map<TopicPartition, Long> endOffsets(Admin admin) throws Exception {
        var partitions = admin.describeTopics(List.of(Topics.EVENTS_ALL))
                .allTopicNames()
                .get(30, TimeUnit.SECONDS)
                .get(Topics.EVENTS_ALL)
                .partitions();
        Map<TopicPartition, OffsetSpec> request = new LinkedHashMap<>();
        partitions.forEach(p -> request.put(new TopicPartition(Topics.EVENTS_ALL, p.partition()), OffsetSpec.latest()));
        Map<TopicPartition, Long> ends = new LinkedHashMap<>();
        admin.listOffsets(request).all().get(30, TimeUnit.SECONDS).forEach((tp, info) -> ends.put(tp, info.offset()));
        return ends;
    }

    private Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, env.get("KAFKA_BOOTSTRAP_SERVERS")));
    }

    private List<Object> query(String sql) throws SQLException {
        return query(env.get("DATABASE_URL"), sql);
    }

    private static List<Object> query(String databaseUrl, String sql) throws SQLException {
        DatabaseUrl url = DatabaseUrl.parse(databaseUrl);
        try (Connection connection = DriverManager.getConnection(url.jdbcUrl(), url.user(), url.password());
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery(sql)) {
            List<Object> values = new ArrayList<>();
            while (rows.next()) {
                for (int column = 1; column <= rows.getMetaData().getColumnCount(); column++) {
                    values.add(rows.getObject(column));
                }
            }
            return values;
        }
    }

    private static String peakRss(long pid) {
        try {
            return Files.readAllLines(Path.of("/proc", Long.toString(pid), "status")).stream()
                    .filter(line -> line.startsWith("VmHWM:"))
                    .map(line -> line.substring("VmHWM:".length()).trim())
                    .findFirst()
                    .orElse("unknown");
        } catch (IOException e) {
            return "unknown (" + e.getMessage() + ")";
        }
    }

    private static String javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static String seconds(long nanos) {
        return String.format("%.1f s", nanos / 1e9);
    }
}
