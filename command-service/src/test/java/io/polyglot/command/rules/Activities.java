package io.polyglot.command.rules;

import io.polyglot.command.intake.EventDraft;
import io.polyglot.schemas.EventTypes;
import io.polyglot.schemas.avro.ActivityRecorded;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** Events of the {@code RecordActivity} command, built from activity names, for rule tests. */
final class Activities {

    private static final Instant WHEN = Instant.parse("2011-10-01T00:38:44.546Z");

    private Activities() {}

    static EventDraft activity(String name, String lifecycle) {
        ActivityRecorded recorded = ActivityRecorded.newBuilder()
                .setActivity(name)
                .setLifecycle(lifecycle)
                .setResource(null)
                .setOccurredAt(WHEN)
                .setAttributes(Map.of())
                .build();
        return new EventDraft(EventTypes.ACTIVITY_RECORDED, recorded, WHEN);
    }

    static EventDraft activity(String name) {
        return activity(name, "COMPLETE");
    }

    static List<EventDraft> activities(String... names) {
        return Arrays.stream(names).map(Activities::activity).toList();
    }
}
