package io.polyglot.command.intake;

import io.polyglot.schemas.EventTypes;
import io.polyglot.schemas.Names;
import io.polyglot.schemas.avro.ActivityRecorded;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code RecordActivity}: something happened to an aggregate (a case, a ticket) at a business time. It records one
 * {@code ActivityRecorded} event.
 *
 * <p>Payload: {@code activity} (required, not blank by the rule of ids, {@link Names#isBlank}: a no-break or
 * zero-width space alone is blank), {@code lifecycle} and {@code resource} (optional strings), {@code occurredAt}
 * (required, an ISO-8601 date-time with an offset, at most microsecond precision) and {@code attributes} (optional
 * object of string to string).
 */
public final class RecordActivity implements CommandType {

    public static final String NAME = "RecordActivity";

    private static final Set<String> FIELDS = Set.of("activity", "lifecycle", "resource", "occurredAt", "attributes");
    private static final Instant EARLIEST = Instant.parse("0001-01-01T00:00:00Z");
    private static final Instant LATEST = Instant.parse("9999-12-31T23:59:59.999999Z");

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<EventDraft> events(JsonFields payload) {
        payload.refuseUnknown(FIELDS);
        Optional<String> activity = payload.requiredText("activity");
        activity.filter(Names::isBlank).ifPresent(blank -> payload.problem("activity", "must not be blank"));
        Optional<String> lifecycle = payload.optionalText("lifecycle");
        Optional<String> resource = payload.optionalText("resource");
        Optional<Instant> occurredAt = payload.requiredText("occurredAt").flatMap(text -> instant(payload, text));
        occurredAt.ifPresent(instant -> payload.readAsInstant("occurredAt", instant));
        Map<String, String> attributes = payload.optionalObject("attributes")
                .map(JsonFields::stringMembers)
                .orElse(Map.of());
        if (payload.hasProblems()) {
            return List.of();
        }

        ActivityRecorded recorded = ActivityRecorded.newBuilder()
                .setActivity(activity.orElseThrow())
                .setLifecycle(lifecycle.orElse(null))
                .setResource(resource.orElse(null))
                .setOccurredAt(occurredAt.orElseThrow())
                .setAttributes(attributes)
                .build();
        return List.of(new EventDraft(EventTypes.ACTIVITY_RECORDED, recorded, occurredAt.orElseThrow()));
    }

    private static Optional<Instant> instant(JsonFields payload, String text) {
        OffsetDateTime time;
        try {
            time = BusinessTime.parse(text);
        } catch (DateTimeParseException e) {
            payload.problem(
                    "occurredAt", "must be an ISO-8601 date-time with an offset, e.g. 2011-10-01T00:38:44.546+02:00");
            return Optional.empty();
        }
        if (time.getNano() % 1_000 != 0) {
            // Events store microseconds; refusing finer digits keeps what was sent equal to what is stored.
            payload.problem("occurredAt", "must have at most microsecond precision");
            return Optional.empty();
        }
        Instant instant = time.toInstant();
        if (instant.isBefore(EARLIEST) || instant.isAfter(LATEST)) {
            payload.problem("occurredAt", "must be between the years 0001 and 9999");
            return Optional.empty();
        }
        return Optional.of(instant);
    }
}
