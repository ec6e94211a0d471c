package io.polyglot.archive.store;

import io.polyglot.testservers.TestEvents;
import io.polyglot.testservers.TestS3;
import io.polyglot.testservers.TestServers;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A real S3Proxy on loopback for one test class (registered as a static extension field: started before the class's
 * tests, stopped by its pid after them), with stores and segment files for the tests.
 */
final class S3Fixture implements BeforeAllCallback, AfterAllCallback {

    private Path dataDir;
    private TestS3 server;

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        dataDir = Files.createTempDirectory("s3proxy-");
        server = TestServers.s3(dataDir);
    }

    @Override
    public void afterAll(ExtensionContext context) throws IOException {
        if (server != null) {
            server.close();
        }
        try (var files = Files.walk(dataDir)) {
            files.sorted(java.util.Comparator.reverseOrder())
                    .forEach(path -> path.toFile().delete());
        }
    }

    /** The server, once the class's tests have started. */
    TestS3 server() {
        return server;
    }

    /** A store on a bucket no other test uses, created. */
    ArchiveStore freshStore(boolean readBack) {
        ArchiveStore store = new ArchiveStore(config(uniqueBucket(), readBack));
        store.ensureBucket();
        return store;
    }

    ArchiveStoreConfig config(String bucket, boolean readBack) {
        return new ArchiveStoreConfig(
                URI.create(server.endpoint()),
                bucket,
                server.region(),
                server.accessKey(),
                server.secretKey(),
                readBack);
    }

    /**
     * A plain S3 client that writes without {@code If-None-Match}: what a careless tool or an attacker would do, so
     * tests can damage a segment the archive store itself would never overwrite.
     */
    S3Client rawClient() {
        return S3Client.builder()
                .endpointOverride(URI.create(server.endpoint()))
                .region(Region.of(server.region()))
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(server.accessKey(), server.secretKey())))
                .forcePathStyle(true)
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .httpClientBuilder(Apache5HttpClient.builder())
                .build();
    }

    static String uniqueBucket() {
        return "test-" + UUID.randomUUID().toString().toLowerCase(Locale.ROOT);
    }

    /** A segment of {@code count} events of {@code type}, at consecutive offsets from {@code firstOffset}. */
    static Segment segment(Path dir, String type, int partition, long firstOffset, int count) throws IOException {
        List<ArchivedEvent> events = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            events.add(new ArchivedEvent(firstOffset + i, TestEvents.event(type, "A-" + i % 3, (int) firstOffset + i)));
        }
        return segment(dir, SegmentKey.of(type, partition, firstOffset), events);
    }

    static Segment segment(Path dir, SegmentKey key, List<ArchivedEvent> events) throws IOException {
        Path file = dir.resolve(UUID.randomUUID() + ".avro");
        try (OutputStream out = Files.newOutputStream(file)) {
            SegmentFormat.write(key, "events.all", events, out);
        }
        SegmentMetadata meta = new SegmentMetadata(
                SegmentChecksum.sha256Hex(file),
                events.get(0).offset(),
                events.get(events.size() - 1).offset(),
                events.size(),
                io.polyglot.schemas.KnownSchemas.fingerprint(io.polyglot.schemas.KnownSchemas.envelope()));
        return new Segment(key, file, meta);
    }

    record Segment(SegmentKey key, Path file, SegmentMetadata meta) {
        PutResult putInto(ArchiveStore store) {
            return store.putIfAbsent(key.value(), file, meta);
        }
    }
}
