package io.polyglot.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;

class S3ServerTest {
    @TempDir
    static Path dataDir;

    static S3Server server;

    @BeforeAll
    static void startServer() {
        server = S3Server.start(dataDir, 0);
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    @Test
    void refusesToOverwriteAnObjectWhenThePutIsCreateOnly() {
        // given
        try (S3Client s3 = client(server)) {
            s3.createBucket(b -> b.bucket("create-only-test"));
            s3.putObject(
                    b -> b.bucket("create-only-test").key("segment").ifNoneMatch("*"), RequestBody.fromString("first"));

            // when / then
            assertThatThrownBy(() -> s3.putObject(
                            b -> b.bucket("create-only-test").key("segment").ifNoneMatch("*"),
                            RequestBody.fromString("second")))
                    .isInstanceOfSatisfying(
                            S3Exception.class, e -> assertThat(e.statusCode()).isEqualTo(412));
            assertThat(s3.getObjectAsBytes(b -> b.bucket("create-only-test").key("segment"))
                            .asUtf8String())
                    .isEqualTo("first");
        }
    }

    @Test
    void refusesRequestsSignedWithAWrongSecret() {
        // given
        try (S3Client s3 = S3Client.builder()
                .endpointOverride(URI.create(server.endpoint()))
                .region(Region.of(server.region()))
                .forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(server.accessKey(), server.secretKey() + "x")))
                .build()) {

            // when / then
            assertThatThrownBy(() -> s3.listBuckets())
                    .isInstanceOfSatisfying(
                            S3Exception.class, e -> assertThat(e.statusCode()).isEqualTo(403));
        }
    }

    static S3Client client(S3Server server) {
        return S3Client.builder()
                .endpointOverride(URI.create(server.endpoint()))
                .region(Region.of(server.region()))
                .forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(server.accessKey(), server.secretKey())))
                .build();
    }
}
