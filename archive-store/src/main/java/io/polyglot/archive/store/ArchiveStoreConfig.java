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
 * @param multipartThresholdBytes files of at least this many bytes go up as a multipart upload
 * @param multipartPartBytes the size of every part of a multipart upload but the last; S3 wants at least 5 MiB
 */
public record ArchiveStoreConfig(
        URI endpoint,
        String bucket,
        String region,
        String accessKeyId,
        String secretAccessKey,
        boolean readBackAfterPut,
        long multipartThresholdBytes,
        int multipartPartBytes) {

    /** Files from this size on go up in parts unless configured otherwise: 16 MiB. */
    public static final long DEFAULT_MULTIPART_THRESHOLD_BYTES = 16L * 1024 * 1024;

    /** The part size of a multipart upload unless configured otherwise: 8 MiB. */
    public static final int DEFAULT_MULTIPART_PART_BYTES = 8 * 1024 * 1024;

    /** A configuration with the default multipart threshold and part size. */
    public ArchiveStoreConfig(
            URI endpoint,
            String bucket,
            String region,
            String accessKeyId,
            String secretAccessKey,
            boolean readBackAfterPut) {
        this(
                endpoint,
                bucket,
                region,
                accessKeyId,
                secretAccessKey,
                readBackAfterPut,
                DEFAULT_MULTIPART_THRESHOLD_BYTES,
                DEFAULT_MULTIPART_PART_BYTES);
    }

    /** Requires every value and a positive threshold and part size. */
    public ArchiveStoreConfig {
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(bucket, "bucket");
        Objects.requireNonNull(region, "region");
        Objects.requireNonNull(accessKeyId, "accessKeyId");
        Objects.requireNonNull(secretAccessKey, "secretAccessKey");
        if (multipartThresholdBytes < 1 || multipartPartBytes < 1) {
            throw new IllegalArgumentException("the multipart threshold and part size must be positive, got "
                    + multipartThresholdBytes + " and " + multipartPartBytes);
        }
    }

    @Override
    public String toString() {
        return "ArchiveStoreConfig[endpoint=" + endpoint + ", bucket=" + bucket + ", region=" + region
                + ", accessKeyId=" + accessKeyId + ", secretAccessKey=****, readBackAfterPut=" + readBackAfterPut
                + ", multipartThresholdBytes=" + multipartThresholdBytes + ", multipartPartBytes=" + multipartPartBytes
                + "]";
    }
}
