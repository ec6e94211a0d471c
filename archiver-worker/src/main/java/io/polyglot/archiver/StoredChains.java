package io.polyglot.archiver;

import io.polyglot.archive.store.ArchiveStore;
import io.polyglot.archive.store.SegmentKey;
import io.polyglot.archive.store.SegmentMetadata;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What storage says about the chains of a partition: for each aggregate type, the last offset its stored segments
 * cover. After a crash the consumer resumes from the oldest event that was not stored, which can lie before the
 * tail of another type's chain; the events up to each tail are already archived and must not go into a second
 * segment.
 *
 * <p>The types come from the partition's chain index ({@link SegmentKey#indexPrefix}), which the archiver writes
 * before a chain's first segment, so the cost grows with the types seen in that partition, not with every type in
 * the bucket. The tail is read from the metadata of the chain's last segment, found by listing the chain's keys;
 * objects that are not segments are passed over, and the {@code KEY-<uuid>} temporary objects a crashed S3Proxy
 * upload leaves are deleted on the way.
 */
final class StoredChains {

    private static final Logger log = LoggerFactory.getLogger(StoredChains.class);

    private final ArchiveStore store;

    StoredChains(ArchiveStore store) {
        this.store = store;
    }

    /** The last stored offset of each chain of {@code partition}, by chain prefix (see {@link SegmentKey}). */
    Map<String, Long> tails(int partition) {
        Map<String, Long> tails = new TreeMap<>();
        for (String entry : store.list(SegmentKey.indexPrefix(partition))) {
            Optional<String> prefix = SegmentKey.chainPrefixOfIndexEntry(entry, partition);
            if (prefix.isEmpty()) {
                continue;
            }
            List<String> keys = store.list(prefix.get());
            keys.stream().filter(ArchiveStore::isUploadLeftover).forEach(store::deleteUploadLeftover);
            List<String> segments = keys.stream()
                    .filter(key -> SegmentKey.parse(key).isPresent())
                    .toList();
            if (segments.isEmpty()) {
                continue;
            }
            String last = segments.get(segments.size() - 1);
            Optional<SegmentMetadata> meta = store.head(last);
            if (meta.isPresent()) {
                tails.put(prefix.get(), meta.get().lastOffset());
            } else {
                log.error("Segment {} has no segment metadata; its chain cannot be resumed after it", last);
            }
        }
        return tails;
    }
}
