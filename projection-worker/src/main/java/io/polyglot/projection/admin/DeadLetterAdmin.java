package io.polyglot.projection.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.polyglot.projection.DeadLetterResolutions;
import io.polyglot.projection.DeadLetterResolutions.Resolution;
import io.polyglot.projection.ReadModelRebuild;
import io.polyglot.projection.ReadModelUnavailableException;
import io.polyglot.projection.ReadModelWriteException;
import io.polyglot.projection.RecordDecoder;
import io.polyglot.projection.SkipReason;
import io.polyglot.projection.rebuild.RebuildRefusedException;
import io.polyglot.runtime.AdminResponse;
import io.polyglot.runtime.deadletter.DeadLetter;
import io.polyglot.runtime.deadletter.DeadLetterReader;
import io.polyglot.runtime.deadletter.DeadLetterRoutes;
import io.polyglot.runtime.deadletter.DeadLetterSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The projection's dead-letter endpoints, under {@code /admin/dead-letters} of its health and metrics endpoint:
 *
 * <ul>
 *   <li>{@code GET /admin/dead-letters}: the group's dead letters of the projected topic, each with its resolution
 *       (pending, retried or skipped);
 *   <li>{@code POST /admin/dead-letters/{partition}/{offset}/retry}: decodes the record again (its schema may have
 *       been published since, or the database fixed) and rebuilds every view with the record folded in at its place
 *       in the log; the rebuild's swap records the retry in the same transaction, so the record is applied exactly
 *       once, and a second retry changes nothing. A record that still cannot be decoded, or that the database still
 *       refuses, answers 422 and stays pending;
 *   <li>{@code POST /admin/dead-letters/{partition}/{offset}/skip}: records that the dead letter stays out for good.
 * </ul>
 *
 * <p>A retried dead letter cannot be skipped and a skipped one cannot be retried (409). A retry takes as long as a
 * rebuild of the read model.
 */
public final class DeadLetterAdmin extends DeadLetterRoutes {

    private static final Logger log = LoggerFactory.getLogger(DeadLetterAdmin.class);

    private static final ObjectMapper JSON = new ObjectMapper();

    private final DeadLetterReader reader;
    private final String group;
    private final String topic;
    private final Supplier<RecordDecoder> decoders;
    private final DeadLetterResolutions resolutions;
    private final Function<DeadLetterSource, ReadModelRebuild.Swapped> rebuildWith;

    /**
     * @param topic the projected topic, whose dead letters these are
     * @param decoders a fresh decoder per retry, so a schema published a moment ago is found without waiting for a
     *     catalog's refresh interval
     * @param rebuildWith rebuilds every view with the given dead letter retried, recording the retry in its swap
     */
    public DeadLetterAdmin(
            DeadLetterReader reader,
            String group,
            String topic,
            Supplier<RecordDecoder> decoders,
            DeadLetterResolutions resolutions,
            Function<DeadLetterSource, ReadModelRebuild.Swapped> rebuildWith) {
        this.reader = reader;
        this.group = group;
        this.topic = topic;
        this.decoders = decoders;
        this.resolutions = resolutions;
        this.rebuildWith = rebuildWith;
    }

    @Override
    protected Optional<AdminResponse> unavailable(RuntimeException failure) {
        return failure instanceof ReadModelUnavailableException
                ? Optional.of(AdminResponse.problem(503, "database-unavailable", failure.getMessage()))
                : Optional.empty();
    }

    @Override
    protected AdminResponse list() {
        Map<DeadLetterSource, Resolution> decided = resolutions.all(topic);
        List<Map<String, Object>> letters = new ArrayList<>();
        for (DeadLetter letter : ofTopic().values()) {
            Map<String, Object> entry = describe(letter);
            Resolution resolution = decided.get(letter.source());
            entry.put("resolution", resolution == null ? "pending" : resolution.json());
            letters.add(entry);
        }
        return AdminResponse.ok(json(listing(group, topic, letters)));
    }

    @Override
    protected AdminResponse retry(int partition, long offset) {
        DeadLetterSource source = new DeadLetterSource(topic, partition, offset);
        DeadLetter letter = ofTopic().get(source);
        if (letter == null) {
            return notADeadLetter(source);
        }
        Resolution decided = resolutions.all(topic).get(source);
        if (decided != null) {
            return alreadyDecided(source, decided, Resolution.RETRIED);
        }
        RecordDecoder.Decoded decoded = decoders.get().decode(source.partition(), source.offset(), letter.value());
        if (decoded instanceof RecordDecoder.Skipped skipped && skipped.reason() == SkipReason.UNDECODABLE) {
            log.info("Retry of dead letter {} failed again: {}", source, skipped.detail());
            return AdminResponse.problem(422, "still-undecodable", skipped.detail());
        }
        ReadModelRebuild.Swapped swapped;
        try {
            swapped = rebuildWith.apply(source);
        } catch (ReadModelRebuild.AlreadyDecided e) {
            return alreadyDecided(source, e.resolution(), Resolution.RETRIED);
        } catch (RebuildRefusedException e) {
            return AdminResponse.problem(409, "rebuild-refused", e.getMessage());
        } catch (ReadModelWriteException e) {
            log.info("Retry of dead letter {} refused by the database again: {}", source, e.getMessage());
            return AdminResponse.problem(422, "still-refused", e.getMessage());
        }
        log.info("Retried dead letter {}: the read model was rebuilt with it at offsets {}", source, swapped.offsets());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("resolution", Resolution.RETRIED.json());
        body.put("appliedNow", true);
        body.put("offsets", new TreeMap<>(swapped.offsets()));
        body.put("rowsDiffering", swapped.rowsDiffering());
        return AdminResponse.ok(json(body));
    }

    @Override
    protected AdminResponse skip(int partition, long offset) {
        DeadLetterSource source = new DeadLetterSource(topic, partition, offset);
        if (!ofTopic().containsKey(source)) {
            return notADeadLetter(source);
        }
        DeadLetterResolutions.Decision decision = resolutions.skip(source);
        if (decision.resolution() != Resolution.SKIPPED) {
            return alreadyDecided(source, decision.resolution(), Resolution.SKIPPED);
        }
        if (decision.madeNow()) {
            log.info("Skipped dead letter {}", source);
        }
        return AdminResponse.ok(
                json(Map.of("resolution", Resolution.SKIPPED.json(), "decidedNow", decision.madeNow())));
    }

    /** The same decision again is a success that changes nothing; the other one is a conflict. */
    private AdminResponse alreadyDecided(DeadLetterSource source, Resolution found, Resolution wanted) {
        if (found == wanted) {
            String flag = wanted == Resolution.RETRIED ? "appliedNow" : "decidedNow";
            return AdminResponse.ok(json(Map.of("resolution", found.json(), flag, false)));
        }
        return AdminResponse.problem(
                409,
                "dead-letter-" + found.json(),
                "the dead letter of " + source + " was " + found.json() + " and cannot be " + wanted.json() + " now");
    }

    private Map<DeadLetterSource, DeadLetter> ofTopic() {
        Map<DeadLetterSource, DeadLetter> letters = new TreeMap<>();
        for (DeadLetter letter : reader.read(group)) {
            if (letter.source().topic().equals(topic)) {
                letters.put(letter.source(), letter);
            }
        }
        return letters;
    }

    private AdminResponse notADeadLetter(DeadLetterSource source) {
        return AdminResponse.problem(
                404, "not-found", "group " + group + " has no dead letter of " + source.topic() + " at " + source);
    }

    private static String json(Object body) {
        try {
            return JSON.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the answer is always JSON", e);
        }
    }
}
