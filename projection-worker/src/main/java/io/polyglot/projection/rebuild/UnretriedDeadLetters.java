package io.polyglot.projection.rebuild;

import io.polyglot.projection.DeadLetterResolutions;
import io.polyglot.runtime.deadletter.DeadLetter;
import io.polyglot.runtime.deadletter.DeadLetterReader;
import io.polyglot.runtime.deadletter.DeadLetterSource;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The group's dead letters of one topic that were not retried, as the dead-letter topic and the decisions in the
 * database tell them now: pending and skipped ones alike are out of the read model.
 */
public final class UnretriedDeadLetters implements LeftOutRecords {

    private final DeadLetterReader reader;
    private final String group;
    private final String topic;
    private final DeadLetterResolutions resolutions;

    public UnretriedDeadLetters(
            DeadLetterReader reader, String group, String topic, DeadLetterResolutions resolutions) {
        this.reader = reader;
        this.group = group;
        this.topic = topic;
        this.resolutions = resolutions;
    }

    @Override
    public Set<DeadLetterSource> now() {
        Map<DeadLetterSource, DeadLetterResolutions.Resolution> decided = resolutions.all(topic);
        Set<DeadLetterSource> out = new TreeSet<>();
        for (DeadLetter letter : reader.read(group)) {
            DeadLetterSource source = letter.source();
            if (source.topic().equals(topic) && decided.get(source) != DeadLetterResolutions.Resolution.RETRIED) {
                out.add(source);
            }
        }
        return out;
    }
}
