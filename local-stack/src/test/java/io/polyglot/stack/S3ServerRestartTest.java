package io.polyglot.stack;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;

class S3ServerRestartTest {
    @TempDir
    Path dataDir;

    @Test
    void storesObjectsThatSurviveARestartOnTheSamePortAndLeavesNoProcessWhenClosed() {
        // given
        S3Server first = S3Server.start(dataDir, 0);
        try (S3Client s3 = S3ServerTest.client(first)) {
            s3.createBucket(b -> b.bucket("restart-test"));
            s3.putObject(
                    b -> b.bucket("restart-test")
                            .key("events/Order/p000/00000000000000000000.avro")
                            .metadata(Map.of("sha256", "abc")),
                    RequestBody.fromString("sealed bytes"));
        }

        // when
        first.close();
        boolean firstGone = ProcessHandle.of(first.pid()).isEmpty();
        S3Server second = S3Server.start(dataDir, first.port());
        String kept;
        HeadObjectResponse head;
        try (second;
                S3Client s3 = S3ServerTest.client(second)) {
            kept = s3.getObjectAsBytes(b -> b.bucket("restart-test").key("events/Order/p000/00000000000000000000.avro"))
                    .asUtf8String();
            head = s3.headObject(b -> b.bucket("restart-test").key("events/Order/p000/00000000000000000000.avro"));
        }

        // then
        assertThat(firstGone).isTrue();
        assertThat(second.port()).isEqualTo(first.port());
        assertThat(second.accessKey()).isEqualTo(first.accessKey());
        assertThat(kept).isEqualTo("sealed bytes");
        assertThat(head.metadata()).containsEntry("sha256", "abc");
        assertThat(ProcessHandle.of(second.pid())).isEmpty();
        assertThat(S3Server.attach(dataDir)).isEmpty();
    }
}
