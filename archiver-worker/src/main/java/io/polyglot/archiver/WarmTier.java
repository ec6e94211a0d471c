package io.polyglot.archiver;

import io.polyglot.archive.store.SegmentFormat;
import io.polyglot.archive.store.SegmentKey;
import io.polyglot.archive.store.SegmentMetadata;
import io.polyglot.schemas.KnownSchemas;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongFunction;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local disk copy of sealed segments, at the key's relative path under the warm directory, kept within a budget:
 * once the store holds a segment its file may go, oldest first, whenever the stored files take more than the budget.
 * A file that waits for upload is never removed. Files a run before left behind count as stored (their events are
 * either in the store or read again from Kafka) and go first; half-written {@code .partial} files are deleted.
 *
 * <p>A segment is written to a temporary file beside its final name, forced to disk, then renamed, so a crash leaves
 * either the whole file or none; the SHA-256 is computed from the bytes as they are written, so the store later
 * checks the upload against what the archiver meant to write, not against what the disk gives back. Segments of
 * different partitions may be written at the same time.
 */
final class WarmTier {

    private static final Logger log = LoggerFactory.getLogger(WarmTier.class);

    private final Path directory;
    private final String topic;
    private final long maxStoredBytes;
    private final LongFunction<Optional<Schema>> payloadSchemas;
    private final Map<Path, Long> stored = new LinkedHashMap<>();
    private long storedBytes;

    /** A warm tier without a budget. */
    WarmTier(Path directory, String topic) {
        this(directory, topic, Long.MAX_VALUE);
    }

    /** A warm tier that keeps at most {@code maxStoredBytes} of segments the store holds. */
    WarmTier(Path directory, String topic, long maxStoredBytes) {
        this(directory, topic, maxStoredBytes, KnownSchemas::byFingerprint);
    }

    /**
     * A warm tier whose segments carry the payload schemas {@code payloadSchemas} finds: this build's and the
     * catalog's, so a payload of a newer writer is archived with its writer schema.
     */
    WarmTier(Path directory, String topic, long maxStoredBytes, LongFunction<Optional<Schema>> payloadSchemas) {
        this.directory = directory;
        this.topic = topic;
        this.maxStoredBytes = maxStoredBytes;
        this.payloadSchemas = payloadSchemas;
        adoptFilesLeftBehind();
    }

    /** Records that the store holds {@code written}; removes the oldest stored files while they exceed the budget. */
    synchronized void stored(WarmSegment written) {
        if (stored.putIfAbsent(written.file(), written.bytes()) == null) {
            storedBytes += written.bytes();
        }
        while (storedBytes > maxStoredBytes && !stored.isEmpty()) {
            Map.Entry<Path, Long> oldest = stored.entrySet().iterator().next();
            stored.remove(oldest.getKey());
            storedBytes -= oldest.getValue();
            try {
                Files.deleteIfExists(oldest.getKey());
            } catch (IOException e) {
                // The file stays on disk, over the budget, until an operator looks; the archive itself is complete.
                log.warn("Cannot remove warm segment {}: {}", oldest.getKey(), e.toString());
            }
        }
    }

    /** Bytes of the warm files the store holds. */
    synchronized long storedBytes() {
        return storedBytes;
    }

    private void adoptFilesLeftBehind() {
        Path events = directory.resolve(SegmentKey.EVENTS_PREFIX);
        if (!Files.isDirectory(events)) {
            return;
        }
        try (Stream<Path> files = Files.walk(events)) {
            List<Path> segments = new ArrayList<>();
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                if (file.getFileName().toString().endsWith(".partial")) {
                    Files.delete(file);
                } else {
                    segments.add(file);
                }
            }
            segments.sort(Comparator.comparing(WarmTier::lastModified));
            for (Path file : segments) {
                long bytes = Files.size(file);
                stored.put(file, bytes);
                storedBytes += bytes;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the warm tier " + events, e);
        }
    }

    private static FileTime lastModified(Path file) {
        try {
            return Files.getLastModifiedTime(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the time of " + file, e);
        }
    }

    /** Writes and forces {@code segment} to disk. */
    WarmSegment write(SealedSegment segment) throws IOException {
        Path file = directory.resolve(segment.key().value());
        // Lanes of different partitions write at the same time; only the budget's book is shared between them.
        synchronized (this) {
            Long replaced = stored.remove(file);
            if (replaced != null) {
                storedBytes -= replaced;
            }
        }
        Files.createDirectories(file.getParent());
        Path partial = file.resolveSibling(file.getFileName() + ".partial");
        MessageDigest digest = sha256();
        try (FileChannel channel = FileChannel.open(
                partial, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            OutputStream out = new DigestOutputStream(Channels.newOutputStream(channel), digest);
            SegmentFormat.write(segment.key(), topic, segment.events(), out, payloadSchemas);
            out.flush();
            channel.force(true);
        }
        Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        forceDirectory(file.getParent());
        SegmentMetadata metadata = new SegmentMetadata(
                HexFormat.of().formatHex(digest.digest()),
                segment.firstOffset(),
                segment.lastOffset(),
                segment.events().count(),
                KnownSchemas.fingerprint(KnownSchemas.envelope()));
        return new WarmSegment(segment, file, metadata, Files.size(file));
    }

    private static void forceDirectory(Path dir) {
        // Makes the rename durable on file systems that allow it; others refuse to open a directory, which is fine.
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            // Not every platform can fsync a directory; the file itself is already forced, so this is no failure.
            log.debug("Cannot force directory {}", dir, e);
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
