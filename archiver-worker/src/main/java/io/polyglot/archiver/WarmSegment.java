package io.polyglot.archiver;

import io.polyglot.archive.store.SegmentMetadata;
import java.nio.file.Path;

/**
 * A sealed segment written and forced to local disk, ready to upload.
 *
 * @param segment the sealed segment
 * @param file where its bytes are, under the warm directory at the key's relative path
 * @param metadata what its object metadata will say, with the SHA-256 computed while writing
 * @param bytes the size of the file
 */
record WarmSegment(SealedSegment segment, Path file, SegmentMetadata metadata, long bytes) {}
