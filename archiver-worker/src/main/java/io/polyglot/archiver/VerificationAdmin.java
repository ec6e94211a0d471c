package io.polyglot.archiver;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.polyglot.archive.store.ArchiveStore;
import io.polyglot.archive.store.ArchiveVerifier;
import io.polyglot.archive.store.CommittedEvents;
import io.polyglot.archive.store.DeadLetteredOffsets;
import io.polyglot.archive.store.VerificationReport;
import io.polyglot.runtime.AdminResponse;
import io.polyglot.runtime.AdminRoutes;
import io.polyglot.runtime.AdminTask;
import io.polyglot.runtime.CommittedRecordsReader;
import io.polyglot.runtime.deadletter.DeadLetterReader;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The archiver's verification endpoints, under {@code /admin/verifications} of its health and metrics endpoint:
 *
 * <ul>
 *   <li>{@code POST /admin/verifications}: starts a verification of the archive in the background, as {@code
 *       ./polyglot archive verify} runs it (the topic read first as a read-committed consumer, then the group's dead
 *       letters, then every segment and manifest checked against them), stores its report under {@code
 *       verifications/} and answers 202 with its state; 409 while one runs;
 *   <li>{@code GET /admin/verifications/latest}: the latest verification's state ({@code running}, {@code succeeded}
 *       when it ran to the end, sound or not, {@code failed} when it could not), its progress (phase, records read,
 *       objects checked of the total), start and end times, and at the end the report: segments, events, problems and
 *       whether the archive is sound. Before the first verification of this process it answers the newest report
 *       stored in the bucket (from the command line or an earlier process), 404 when there is none.
 * </ul>
 */
final class VerificationAdmin implements AdminRoutes {

    static final String PREFIX = "/admin/verifications";

    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(15);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final AdminTask task;
    private final ArchiveStore store;
    private final ArchiverSettings settings;
    private final DeadLetterReader deadLetters;
    private final Clock clock;

    VerificationAdmin(ArchiveStore store, ArchiverSettings settings, DeadLetterReader deadLetters, Clock clock) {
        this.task = new AdminTask("verification", clock);
        this.store = store;
        this.settings = settings;
        this.deadLetters = deadLetters;
        this.clock = clock;
    }

    @Override
    public AdminResponse handle(String method, String path) {
        if (path.equals(PREFIX) || path.equals(PREFIX + "/")) {
            return "POST".equals(method)
                    ? task.start(Map.of("topic", settings.topic()), Verification::new)
                    : notAllowed(method, path);
        }
        if (path.equals(PREFIX + "/latest")) {
            return "GET".equals(method) ? latest() : notAllowed(method, path);
        }
        return AdminRoutes.NONE.handle(method, path);
    }

    private AdminResponse latest() {
        AdminResponse latest = task.latest();
        if (latest.status() != 404) {
            return latest;
        }
        return newestStored().map(body -> AdminResponse.ok(body)).orElse(latest);
    }

    /**
     * The newest report under {@code verifications/}, as the state of a verification that succeeded, started and
     * ended when the report says: it may come from {@code ./polyglot archive verify} or an earlier archiver process.
     */
    private Optional<String> newestStored() {
        List<String> keys = store.list(ArchiveVerifier.VERIFICATIONS_PREFIX).stream()
                .filter(key -> key.endsWith(".json"))
                .sorted()
                .toList();
        if (keys.isEmpty()) {
            return Optional.empty();
        }
        String key = keys.get(keys.size() - 1);
        try (InputStream in = store.get(key)) {
            Map<String, Object> report = JSON.readValue(in, new TypeReference<Map<String, Object>>() {});
            report.put("storedAs", key);
            Map<String, Object> status = new LinkedHashMap<>();
            status.put("state", "succeeded");
            status.put("request", Map.of());
            status.put("startedAt", report.get("checkedAt"));
            status.put("endedAt", report.get("endedAt"));
            status.put("progress", Map.of("phase", "done"));
            status.put("result", report);
            status.put("error", null);
            return Optional.of(JSON.writeValueAsString(status));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("the stored verification " + key + " cannot be read", e);
        }
    }

    private static AdminResponse notAllowed(String method, String path) {
        return AdminResponse.problem(405, "method-not-allowed", method + " is not allowed on " + path);
    }

    /** One verification: the topic, then the dead letters, then the archive. */
    private final class Verification implements AdminTask.Execution {

        private final CommittedRecordsReader topic =
                new CommittedRecordsReader(settings.bootstrapServers(), REQUEST_TIMEOUT);
        private final ArchiveVerifier verifier = new ArchiveVerifier(store, settings.segmentMaxEvents(), clock);
        private volatile String phase = "topic";

        @Override
        public Map<String, Object> progress() {
            ArchiveVerifier.Progress archive = verifier.progress();
            Map<String, Object> progress = new LinkedHashMap<>();
            progress.put("phase", "archive".equals(phase) ? archive.phase() : phase);
            progress.put("recordsRead", topic.recordsRead());
            progress.put("offsetsTotal", topic.offsetsTotal());
            progress.put("objectsChecked", archive.objectsChecked());
            progress.put("objectsTotal", archive.objectsTotal());
            return progress;
        }

        @Override
        public Map<String, Object> run() {
            CommittedEvents committed = readTopic();
            // Read after the topic, so every dead letter of an offset read above is in this snapshot.
            phase = "dead-letters";
            DeadLetteredOffsets offsets = new DeadLetteredOffsets();
            deadLetters.read(settings.group()).stream()
                    .filter(letter -> letter.source().topic().equals(settings.topic()))
                    .forEach(letter -> offsets.add(
                            letter.source().partition(), letter.source().offset()));
            phase = "archive";
            VerificationReport report = verifier.verify(committed, offsets, settings.group());
            Map<String, Object> result = JSON.convertValue(report, new TypeReference<Map<String, Object>>() {});
            result.put("storedAs", verifier.store(report));
            return result;
        }

        private CommittedEvents readTopic() {
            CommittedEvents committed = new CommittedEvents();
            topic.read(settings.topic(), new CommittedRecordsReader.Sink() {
                @Override
                public void end(int partition, long endOffset) {
                    committed.readUpTo(partition, endOffset);
                }

                @Override
                public void record(int partition, long offset, String aggregateType) {
                    committed.add(partition, offset, aggregateType);
                }
            });
            return committed;
        }
    }
}
