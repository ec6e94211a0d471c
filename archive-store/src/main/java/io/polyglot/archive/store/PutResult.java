package io.polyglot.archive.store;

import java.util.Optional;

/** The outcome of a create-only upload: the object was created, or a segment already held the key. */
public sealed interface PutResult {

    /** The store created the object with the bytes and metadata sent; its checksum was verified on the way in. */
    record Created() implements PutResult {}

    /**
     * The store refused the upload because the key was taken ({@code 412 Precondition Failed}); the object is
     * unchanged.
     *
     * @param existing the metadata of the object that holds the key, empty when it carries no segment metadata
     */
    record AlreadyExists(Optional<SegmentMetadata> existing) implements PutResult {}
}
