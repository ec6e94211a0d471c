package io.polyglot.dashboard.overview;

import io.polyglot.archive.store.ArchiveStore;
import io.polyglot.archive.store.ManifestPart;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * What the archive holds, read from the bucket through the archive store: per aggregate type the segments stored
 * under {@code events/{type}/} and, from the last manifest part of each of its partitions, the segment sealed last
 * (the one with the latest last event time).
 */
final class ArchiveSummary implements AutoCloseable {

    private static final String EVENTS = "events/";

    private final ArchiveStore store;

    /** {@code store} null: no credentials are configured, and every read says so. */
    ArchiveSummary(ArchiveStore store) {
        this.store = store;
    }

    /**
     * One aggregate type.
     *
     * @param aggregateType the type as it appears in keys
     * @param segments how many segments are stored
     * @param lastSegment the key of the last segment the manifests list, null before the first
     * @param lastEventTime when that segment's last event occurred
     */
    record TypeSummary(String aggregateType, long segments, String lastSegment, String lastEventTime) {}

    List<TypeSummary> read() {
        if (store == null) {
            throw new IllegalStateException("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set");
        }
        List<TypeSummary> types = new ArrayList<>();
        for (String folder : store.listFolders(EVENTS)) {
            String type = folder.substring(EVENTS.length(), folder.length() - 1);
            long segments = store.list(folder).stream()
                    .filter(key -> key.endsWith(".avro"))
                    .count();
            Optional<ManifestPart.Entry> last = lastSegment(type);
            types.add(new TypeSummary(
                    type,
                    segments,
                    last.map(ManifestPart.Entry::key).orElse(null),
                    last.map(ManifestPart.Entry::lastEventTime).orElse(null)));
        }
        return List.copyOf(types);
    }

    private Optional<ManifestPart.Entry> lastSegment(String type) {
        String prefix = ManifestPart.MANIFESTS_PREFIX + type + "/";
        List<ManifestPart.Entry> lasts = new ArrayList<>();
        for (String partitionFolder : store.listFolders(prefix)) {
            String name = partitionFolder.substring(prefix.length(), partitionFolder.length() - 1);
            if (!name.matches("p\\d{3,}")) {
                continue;
            }
            store.lastManifestPart(type, Integer.parseInt(name.substring(1)))
                    .filter(part -> !part.segments().isEmpty())
                    .map(part -> part.segments().get(part.segments().size() - 1))
                    .ifPresent(lasts::add);
        }
        return lasts.stream()
                .filter(entry -> entry.lastEventTime() != null)
                .max(Comparator.comparing(ManifestPart.Entry::lastEventTime));
    }

    @Override
    public void close() {
        if (store != null) {
            store.close();
        }
    }
}
