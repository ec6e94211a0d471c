package io.polyglot.archiver;

import io.polyglot.archive.store.SegmentFormat;
import io.polyglot.archive.store.SegmentMetadata;
import io.polyglot.schemas.KnownSchemas;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local disk copy of sealed segments, at the key's relative path under the warm directory.
 *
 * <p>A segment is written to a temporary file beside its final name, forced to disk, then renamed, so a crash leaves
 * either the whole file or none; the SHA-256 is computed from the bytes as they are written, so the store later
 * checks the upload against what the archiver meant to write, not against what the disk gives back.
 */
final class WarmTier {

    private static final Logger log = LoggerFactory.getLogger(WarmTier.class);

    private final Path directory;
    private final String topic;

    WarmTier(Path directory, String topic) {
        this.directory = directory;
        this.topic = topic;
    }

    /** Writes and forces {@code segment} to disk. */
    WarmSegment write(SealedSegment segment) throws IOException {
        Path file = directory.resolve(segment.key().value());
        Files.createDirectories(file.getParent());
        Path partial = file.resolveSibling(file.getFileName() + ".partial");
        MessageDigest digest = sha256();
        try (FileChannel channel = FileChannel.open(
                partial, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            OutputStream out = new DigestOutputStream(Channels.newOutputStream(channel), digest);
            SegmentFormat.write(segment.key(), topic, segment.events(), out);
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
