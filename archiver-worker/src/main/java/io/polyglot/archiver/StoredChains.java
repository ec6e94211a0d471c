package io.polyglot.archiver;

import io.polyglot.archive.store.ArchiveStore;
import io.polyglot.archive.store.ManifestPart;
import io.polyglot.archive.store.SegmentKey;
import io.polyglot.archive.store.SegmentMetadata;
import java.time.Clock;
import java.time.Duration;
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
 * <p>The types come from the partition's chain index ({@link SegmentKey#indexPrefix}), which the archiver writes before
 * a chain's first segment, so the cost grows with the types seen in that partition, not with every type in the bucket.
 * The tail comes from the chain's manifest first; only the segments stored after its last part are listed, and the last
 * of them gives the tail. Objects that are not segments are passed over, and the {@code KEY-<uuid>} temporary objects a
 * crashed S3Proxy upload leaves are deleted on the way, as are the chain's multipart uploads older than the
 * abandoned-upload age.
 */
final class StoredChains {

    private static final Logger log = LoggerFactory.getLogger(StoredChains.class);

    /**
     * From what age on a multipart upload of a chain counts as left by a crashed archiver and is aborted when the
     * chain is resumed: far above the time a live instance takes to upload one segment, so a live upload is never
     * cut, and short enough that abandoned parts do not pile up.
     */
    static final Duration ABANDONED_UPLOAD_AGE = Duration.ofHours(1);

    private final ArchiveStore store;
    private final Clock clock;
    private final Duration abandonedAfter;

    StoredChains(ArchiveStore store, Clock clock, Duration abandonedAfter) {
        this.store = store;
        this.clock = clock;
        this.abandonedAfter = abandonedAfter;
    }

    /** The last stored offset of each chain of {@code partition}, by chain prefix (see {@link SegmentKey}). */
    Map<String, Long> tails(int partition) {
        Map<String, Long> tails = new TreeMap<>();
        for (String entry : store.list(SegmentKey.indexPrefix(partition))) {
            Optional<String> prefix = SegmentKey.chainPrefixOfIndexEntry(entry, partition);
            if (prefix.isPresent()) {
                tailOf(entry.substring(SegmentKey.indexPrefix(partition).length()), partition, prefix.get())
                        .ifPresent(tail -> tails.put(prefix.get(), tail));
            }
        }
        return tails;
    }

    /** The chain's last stored offset: from its manifest, then from the segments listed after the manifest's last. */
    private Optional<Long> tailOf(String typeSegment, int partition, String chainPrefix) {
        Optional<ManifestPart> manifest = store.lastManifestPart(typeSegment, partition);
        List<String> keys = store.listAfter(chainPrefix, manifest);
        keys.stream().filter(ArchiveStore::isUploadLeftover).forEach(store::deleteUploadLeftover);
        List<String> aborted =
                store.abortUploadsStartedBefore(chainPrefix, clock.instant().minus(abandonedAfter));
        if (!aborted.isEmpty()) {
            log.info("Aborted {} multipart uploads a crashed archiver left in {}", aborted.size(), chainPrefix);
        }
        List<String> segments =
                keys.stream().filter(key -> SegmentKey.parse(key).isPresent()).toList();
        if (segments.isEmpty()) {
            return manifest.map(ManifestPart::lastOffset);
        }
        String last = segments.get(segments.size() - 1);
        Optional<SegmentMetadata> meta = store.head(last);
        if (meta.isEmpty()) {
            log.error("Segment {} has no segment metadata; its chain cannot be resumed after it", last);
            return manifest.map(ManifestPart::lastOffset);
        }
        return Optional.of(meta.get().lastOffset());
    }
}
