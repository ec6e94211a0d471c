package io.polyglot.archiver;

import io.polyglot.archive.store.ArchiveStore;
import io.polyglot.archive.store.ArchiveStoreException;
import io.polyglot.archive.store.ManifestPart;
import io.polyglot.archive.store.SegmentContents;
import io.polyglot.archive.store.SegmentFormat;
import io.polyglot.archive.store.SegmentKey;
import io.polyglot.archive.store.SegmentMetadata;
import io.polyglot.schemas.UndecodableRecordException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the manifest of each chain: after segments are stored, the next numbered part, create-only, listing them and
 * the offsets since the part before that held no event of the chain's type. {@link #record} notes a stored segment;
 * {@link #flush} writes one part per chain for every segment noted since, so a pass that stores several segments of a
 * chain (a poll of a backlog) pays one manifest request for them, not one each. The archiver flushes at the end of
 * every pass over its pending segments, before it commits anything, and before it lets partitions go.
 *
 * <p>The empty ranges cover the offsets since the part before up to the segment's first, and the offsets between
 * the segment's own events, so the parts account for every offset of the partition up to the chain's last segment.
 *
 * <p>A manifest lags its chain when the archiver stopped between storing a segment and writing its part, or when
 * the part could not be written; the first part this instance writes for a chain therefore catches up first,
 * listing the stored segments after the last part, so the parts never claim a stored segment's offsets as empty. A
 * part that cannot be written now does not hold back commits: the segment is stored, and the next segment of the
 * chain, or the next owner, writes the missing part.
 */
final class ChainManifests {

    private static final Logger log = LoggerFactory.getLogger(ChainManifests.class);

    private final ArchiveStore store;
    private final Map<String, Optional<ManifestPart>> lastParts = new HashMap<>();
    private final Map<String, List<Noted>> noted = new LinkedHashMap<>();

    /** A stored segment whose part is not written yet. */
    private record Noted(SegmentKey key, ManifestPart.Entry entry, List<Long> offsets) {}

    ChainManifests(ArchiveStore store) {
        this.store = store;
    }

    /** Notes the stored {@code segment}, whose metadata is {@code meta}, for its chain's next part. */
    void record(SealedSegment segment, SegmentMetadata meta) {
        SegmentKey key = segment.key();
        ManifestPart.Entry entry = new ManifestPart.Entry(
                key.value(),
                meta.firstOffset(),
                meta.lastOffset(),
                meta.eventCount(),
                segment.events().firstEventTime().toString(),
                segment.events().lastEventTime().toString(),
                meta.sha256());
        noted.computeIfAbsent(ManifestPart.prefix(key.typeSegment(), key.partition()), chain -> new ArrayList<>())
                .add(new Noted(key, entry, List.copyOf(segment.events().offsets())));
    }

    /** Writes, for each chain with noted segments, one part listing them. */
    void flush() {
        for (Map.Entry<String, List<Noted>> chain : noted.entrySet()) {
            write(chain.getKey(), chain.getValue());
        }
        noted.clear();
    }

    private void write(String chain, List<Noted> segments) {
        SegmentKey first = segments.get(0).key();
        try {
            Optional<ManifestPart> last = lastParts.get(chain);
            if (last == null) {
                last = catchUp(first);
            }
            long listedUpTo = last.map(ManifestPart::lastOffset).orElse(-1L);
            List<ManifestPart.Entry> entries = new ArrayList<>();
            List<Long> offsets = new ArrayList<>();
            for (Noted segment : segments) {
                if (segment.entry().firstOffset() > listedUpTo) {
                    entries.add(segment.entry());
                    offsets.addAll(segment.offsets());
                }
            }
            if (entries.isEmpty()) {
                lastParts.put(chain, last);
                return;
            }
            lastParts.put(chain, Optional.of(write(first, last, entries, offsets)));
        } catch (ArchiveStoreException e) {
            // The segments are stored; the chain's next part (catching up from storage) or its next owner lists them.
            lastParts.remove(chain);
            log.warn(
                    "Manifest of {} not written now; the chain's next segment or next owner writes it: {}",
                    chain,
                    e.getMessage());
        }
    }

    /** Forgets what it knows of the chains of {@code partition}, which another instance may write from now on. */
    void forget(int partition) {
        String folder = "/" + SegmentKey.partitionFolder(partition);
        lastParts.keySet().removeIf(chain -> chain.endsWith(folder));
        noted.keySet().removeIf(chain -> chain.endsWith(folder));
    }

    private Optional<ManifestPart> catchUp(SegmentKey upTo) {
        Optional<ManifestPart> last = store.lastManifestPart(upTo.typeSegment(), upTo.partition());
        String chainPrefix = SegmentKey.chainPrefixOfSegment(upTo.typeSegment(), upTo.partition());
        List<String> later = store.listAfter(chainPrefix, last);
        for (String stored : later) {
            Optional<SegmentKey> key = SegmentKey.parse(stored);
            if (key.isEmpty() || key.get().firstOffset() >= upTo.firstOffset()) {
                continue;
            }
            Optional<SegmentMetadata> meta = store.head(stored);
            if (meta.isPresent()) {
                SegmentContents contents = contentsOf(stored);
                last = Optional.of(
                        write(key.get(), last, List.of(entryOf(stored, meta.get(), contents)), contents.offsets()));
            }
        }
        return last;
    }

    private ManifestPart write(
            SegmentKey key, Optional<ManifestPart> last, List<ManifestPart.Entry> entries, List<Long> offsets) {
        List<ManifestPart.OffsetRange> empty = new ArrayList<>();
        long next = last.map(ManifestPart::lastOffset).orElse(-1L) + 1;
        for (long offset : offsets) {
            if (offset > next) {
                empty.add(new ManifestPart.OffsetRange(next, offset - 1));
            }
            next = offset + 1;
        }
        ManifestPart part = new ManifestPart(
                key.typeSegment(), key.partition(), last.map(p -> p.part() + 1).orElse(0L), entries, empty);
        if (store.putManifestIfAbsent(part)) {
            return part;
        }
        // Another writer wrote this part first; its manifest is the one that counts from here on.
        log.warn(
                "Manifest part {} was written by another writer; {} is listed by it or by a later part",
                part.key(),
                entries.stream().map(ManifestPart.Entry::key).toList());
        return store.lastManifestPart(key.typeSegment(), key.partition()).orElse(part);
    }

    private SegmentContents contentsOf(String key) {
        try (InputStream in = store.get(key)) {
            return SegmentFormat.read(in);
        } catch (IOException | UndecodableRecordException e) {
            throw new ArchiveStoreException("cannot read " + key + " to list it in its manifest", true, e);
        }
    }

    private static ManifestPart.Entry entryOf(String key, SegmentMetadata meta, SegmentContents contents) {
        return new ManifestPart.Entry(
                key,
                meta.firstOffset(),
                meta.lastOffset(),
                meta.eventCount(),
                contents.events().get(0).getOccurredAt().toString(),
                contents.events()
                        .get(contents.events().size() - 1)
                        .getOccurredAt()
                        .toString(),
                meta.sha256());
    }
}
