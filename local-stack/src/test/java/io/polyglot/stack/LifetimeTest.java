package io.polyglot.stack;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LifetimeTest {
    @TempDir
    Path dataDir;

    @Test
    void stopsAServerThatItsJvmForgotToCloseWhenThatJvmExits() throws IOException, InterruptedException {
        // given: a JVM that starts S3Proxy, records its pid and exits without closing it
        Path pidFile = dataDir.resolve("forgotten.pid");
        Process jvm = new ProcessBuilder(List.of(
                        ServerLibraries.java(),
                        "-D" + ServerLibraries.ROOT_PROPERTY + "=" + ServerLibraries.repositoryRoot(),
                        "-cp",
                        System.getProperty("java.class.path"),
                        StartsAndForgets.class.getName(),
                        dataDir.resolve("s3").toString(),
                        pidFile.toString()))
                .redirectErrorStream(true)
                .redirectOutput(dataDir.resolve("forgetful-jvm.log").toFile())
                .start();

        // when
        boolean exited = jvm.waitFor(120, TimeUnit.SECONDS);

        // then
        assertThat(exited).isTrue();
        assertThat(jvm.exitValue()).isZero();
        long serverPid =
                Long.parseLong(Files.readString(pidFile, StandardCharsets.UTF_8).strip());
        assertThat(ProcessHandle.of(serverPid)).isEmpty();
    }

    /** The forgetful JVM of the test above. */
    static final class StartsAndForgets {
        public static void main(String[] args) throws IOException {
            S3Server server = S3Server.start(Path.of(args[0]), 0);
            Files.writeString(Path.of(args[1]), String.valueOf(server.pid()), StandardCharsets.UTF_8);
        }
    }
}
