package io.polyglot.archive.store;

import java.net.URI;
import java.util.Objects;

/**
 * How to reach the archive bucket. Credentials are static and the region explicit on purpose: nothing in the
 * pipeline may look for credentials or a region in the environment, least of all on a cloud metadata address.
 *
 * @param endpoint the S3-compatible endpoint, e.g. {@code http://127.0.0.1:9000}; requests use path-style addressing
 * @param bucket the bucket that holds {@code events/} and {@code manifests/}
 * @param region the signing region
 * @param accessKeyId the static access key id
 * @param secretAccessKey the static secret key; never logged ({@link #toString()} masks it)
 * @param readBackAfterPut whether to download every created object and compare its SHA-256, for stores that do not
 *     verify {@code x-amz-checksum-sha256} themselves
 */
public record ArchiveStoreConfig(
        URI endpoint,
        String bucket,
        String region,
        String accessKeyId,
        String secretAccessKey,
        boolean readBackAfterPut) {

    /** Requires every value. */
    public ArchiveStoreConfig {
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(bucket, "bucket");
        Objects.requireNonNull(region, "region");
        Objects.requireNonNull(accessKeyId, "accessKeyId");
        Objects.requireNonNull(secretAccessKey, "secretAccessKey");
    }

    @Override
    public String toString() {
        return "ArchiveStoreConfig[endpoint=" + endpoint + ", bucket=" + bucket + ", region=" + region
                + ", accessKeyId=" + accessKeyId + ", secretAccessKey=****, readBackAfterPut=" + readBackAfterPut
                + "]";
    }
}
