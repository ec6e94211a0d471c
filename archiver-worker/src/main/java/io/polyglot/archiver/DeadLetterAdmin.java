package io.polyglot.archiver;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.polyglot.archive.store.ArchiveStore;
import io.polyglot.archive.store.ArchiveStoreException;
import io.polyglot.archive.store.ArchivedEvent;
import io.polyglot.archive.store.DeadLetterResolution;
import io.polyglot.archive.store.DeadLetterResolutions;
import io.polyglot.archive.store.LateSegmentKey;
import io.polyglot.archive.store.PutResult;
import io.polyglot.archive.store.SegmentFormat;
import io.polyglot.archive.store.SegmentMetadata;
import io.polyglot.runtime.AdminResponse;
import io.polyglot.runtime.deadletter.DeadLetter;
import io.polyglot.runtime.deadletter.DeadLetterReader;
import io.polyglot.runtime.deadletter.DeadLetterRoutes;
import io.polyglot.schemas.KnownSchemas;
import io.polyglot.schemas.avro.EventEnvelope;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The archiver's dead-letter endpoints, under {@code /admin/dead-letters} of its health and metrics endpoint:
 *
 * <ul>
 *   <li>{@code GET /admin/dead-letters}: the group's dead letters of the archived topic, each with its resolution
 *       (pending, retried or skipped);
 *   <li>{@code POST /admin/dead-letters/{partition}/{offset}/retry}: decodes the dead letter's original bytes again
 *       (its schema may have been published since) and, when that works, seals the event alone as the late segment
 *       {@code events/{aggregateType}/p{partition:03}/late/{offset:020}.avro}, create-only, with the usual metadata
 *       and SHA-256; a second retry finds the same segment and changes nothing. A retry that still fails answers 422
 *       with the reason and the dead letter stays pending;
 *   <li>{@code POST /admin/dead-letters/{partition}/{offset}/skip}: records that the dead letter is left out.
 * </ul>
 *
 * <p>Decisions are stored create-only as {@link DeadLetterResolution} objects in the bucket, so they survive restarts
 * and the verifier reads them; a retried dead letter's late segment is the proof it was retried. A retried one cannot
 * be skipped and a skipped one cannot be retried (409). Requests are answered one at a time within this process;
 * two instances deciding about the same dead letter at the same moment are not coordinated beyond the create-only
 * writes.
 */
final class DeadLetterAdmin extends DeadLetterRoutes {

    private static final Logger log = LoggerFactory.getLogger(DeadLetterAdmin.class);

    private static final ObjectMapper JSON = new ObjectMapper();

    private final DeadLetterReader reader;
    private final String group;
    private final String topic;
    private final RecordDecoder decoder;
    private final ArchiveStore store;
    private final DeadLetterResolutions resolutions;
    private final Path workDir;
    private final Clock clock;

    /**
     * @param topic the archived topic, whose dead letters these are
     * @param workDir where a late segment is written and forced to disk before its upload
     */
    DeadLetterAdmin(
            DeadLetterReader reader,
            String group,
            String topic,
            RecordDecoder decoder,
            ArchiveStore store,
            Path workDir,
            Clock clock) {
        this.reader = reader;
        this.group = group;
        this.topic = topic;
        this.decoder = decoder;
        this.store = store;
        this.resolutions = new DeadLetterResolutions(store);
        this.workDir = workDir;
        this.clock = clock;
    }

    @Override
    protected Optional<AdminResponse> unavailable(RuntimeException failure) {
        return failure instanceof ArchiveStoreException
                ? Optional.of(AdminResponse.problem(503, "storage-unavailable", failure.getMessage()))
                : Optional.empty();
    }

    @Override
    protected AdminResponse list() {
        List<String> problems = new ArrayList<>();
        Map<DeadLetterResolutions.SourceOffset, DeadLetterResolution> decided = resolutions.all(group, problems);
        Map<DeadLetterResolutions.SourceOffset, LateSegmentKey> late = resolutions.lateSegments();
        List<Map<String, Object>> letters = new ArrayList<>();
        for (DeadLetter letter : ofTopic()) {
            var at = new DeadLetterResolutions.SourceOffset(
                    letter.source().partition(), letter.source().offset());
            Map<String, Object> entry = describe(letter);
            DeadLetterResolution resolution = decided.get(at);
            LateSegmentKey lateSegment = late.get(at);
            entry.put(
                    "resolution",
                    lateSegment != null
                            ? "retried"
                            : resolution == null
                                    ? "pending"
                                    : resolution.status().json());
            entry.put("decidedAt", resolution == null ? null : resolution.decidedAt());
            entry.put("lateSegment", lateSegment == null ? null : lateSegment.value());
            letters.add(entry);
        }
        return AdminResponse.ok(json(listing(group, topic, letters)));
    }

    @Override
    protected AdminResponse retry(int partition, long offset) {
        Optional<DeadLetter> letter = find(partition, offset);
        if (letter.isEmpty()) {
            return notADeadLetter(partition, offset);
        }
        Optional<DeadLetterResolution> decided = resolutions.find(group, partition, offset);
        if (decided.isPresent() && decided.get().status() == DeadLetterResolution.Status.SKIPPED) {
            return AdminResponse.problem(
                    409,
                    "dead-letter-skipped",
                    "the dead letter at " + partition + "/" + offset + " was skipped at "
                            + decided.get().decidedAt() + " and cannot be retried");
        }
        EventEnvelope event;
        try {
            event = decoder.decode(letter.get().value(), headers(letter.get()));
        } catch (PoisonRecordException e) {
            log.info("Retry of dead letter {}/{} failed again: {}", partition, offset, e.getMessage());
            return AdminResponse.problem(422, "still-" + e.reason().tag(), e.getMessage());
        }
        LateSegmentKey key = LateSegmentKey.of(event.getAggregateType(), partition, offset);
        boolean created = seal(key, new ArchivedEvent(offset, event));
        resolutions.record(new DeadLetterResolution(
                group,
                partition,
                offset,
                DeadLetterResolution.Status.RETRIED,
                clock.instant().toString(),
                key.value()));
        if (created) {
            log.info("Retried dead letter {}/{}: sealed as {}", partition, offset, key);
        }
        return AdminResponse.ok(json(Map.of("resolution", "retried", "lateSegment", key.value(), "created", created)));
    }

    @Override
    protected AdminResponse skip(int partition, long offset) {
        if (find(partition, offset).isEmpty()) {
            return notADeadLetter(partition, offset);
        }
        boolean retried =
                resolutions.lateSegments().containsKey(new DeadLetterResolutions.SourceOffset(partition, offset));
        Optional<DeadLetterResolution> decided = resolutions.find(group, partition, offset);
        if (retried
                || decided.map(d -> d.status() == DeadLetterResolution.Status.RETRIED)
                        .orElse(false)) {
            return AdminResponse.problem(
                    409, "dead-letter-retried", "the dead letter at " + partition + "/" + offset + " was retried");
        }
        boolean recorded = resolutions.record(new DeadLetterResolution(
                group,
                partition,
                offset,
                DeadLetterResolution.Status.SKIPPED,
                clock.instant().toString(),
                null));
        if (recorded) {
            log.info("Skipped dead letter {}/{}", partition, offset);
        }
        return AdminResponse.ok(json(Map.of("resolution", "skipped", "created", recorded)));
    }

    /**
     * Writes and forces the late segment, then uploads it create-only.
     *
     * @return whether this call created it; false when the same segment was stored already
     * @throws IllegalStateException when another segment holds the key
     */
    private boolean seal(LateSegmentKey key, ArchivedEvent event) {
        Path file = workDir.resolve(String.format("p%03d-%020d.avro", key.partition(), key.sourceOffset()));
        try {
            Files.createDirectories(workDir);
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            try (FileChannel channel = FileChannel.open(
                    file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
                OutputStream out = new DigestOutputStream(Channels.newOutputStream(channel), digest);
                SegmentFormat.writeLate(key, topic, event, out, decoder.codec()::schema);
                out.flush();
                channel.force(true);
            }
            SegmentMetadata meta = new SegmentMetadata(
                    HexFormat.of().formatHex(digest.digest()),
                    event.offset(),
                    event.offset(),
                    1,
                    KnownSchemas.fingerprint(KnownSchemas.envelope()));
            PutResult result = store.putIfAbsent(key.value(), file, meta);
            if (result instanceof PutResult.AlreadyExists existing) {
                if (existing.existing().map(meta::sameSegmentAs).orElse(false)) {
                    return false;
                }
                throw new IllegalStateException(key + " holds another segment than the retried event's");
            }
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the late segment " + key + " to " + file, e);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        } finally {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                log.warn("Cannot delete {}", file, e);
            }
        }
    }

    private List<DeadLetter> ofTopic() {
        return reader.read(group).stream()
                .filter(letter -> letter.source().topic().equals(topic))
                .toList();
    }

    private Optional<DeadLetter> find(int partition, long offset) {
        return ofTopic().stream()
                .filter(letter -> letter.source().partition() == partition
                        && letter.source().offset() == offset)
                .findFirst();
    }

    private static RecordHeaders headers(DeadLetter letter) {
        RecordHeaders headers = new RecordHeaders();
        letter.sourceHeaders().forEach(header -> headers.add(header.getKey(), header.getValue()));
        return headers;
    }

    private AdminResponse notADeadLetter(int partition, long offset) {
        return AdminResponse.problem(
                404,
                "not-found",
                "group " + group + " has no dead letter of " + topic + " at " + partition + "/" + offset);
    }

    private static String json(Object body) {
        try {
            return JSON.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the answer is always JSON", e);
        }
    }
}
