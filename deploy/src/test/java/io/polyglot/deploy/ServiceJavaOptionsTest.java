package io.polyglot.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.polyglot.stack.DetachedProcess;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The JVM options of the stack's services: a service started with options runs with them, as {@code
 * /proc/<pid>/cmdline} shows. The service's jar is a stand-in ({@link IdleService}) that only waits, so no server is
 * needed to start it.
 */
class ServiceJavaOptionsTest {
    private static final String MODULE = "archiver-worker";

    @TempDir
    Path repoRoot;

    @TempDir
    Path home;

    private final List<DetachedProcess> started = new ArrayList<>();

    @AfterEach
    void stopWhatWasStarted() {
        started.forEach(process -> process.stop(Duration.ofSeconds(10)));
    }

    @Test
    void aServiceStartedWithOptionsFromTheEnvironmentRunsWithThemInsteadOfTheDefaultHeap() throws IOException {
        // given
        ServiceDefinition service = standIn();
        JavaOptions options = JavaOptions.fromEnvironment(Map.of(
                "POLYGLOT_JAVA_OPTIONS", " -Xmx256m  -Dpolyglot.every=yes ",
                "POLYGLOT_ARCHIVER_WORKER_JAVA_OPTIONS", "-Dpolyglot.archiver=yes",
                "POLYGLOT_PROJECTION_WORKER_JAVA_OPTIONS", "-Dpolyglot.projection=yes"));

        // when
        DetachedProcess process = start(service, options.of(MODULE));

        // then
        List<String> arguments = commandLine(process.pid());
        assertThat(arguments)
                .containsSubsequence("-Xmx256m", "-Dpolyglot.every=yes", "-Dpolyglot.archiver=yes", "-jar")
                .doesNotContain("-Xmx512m", "-Dpolyglot.projection=yes");
        assertThat(arguments.get(arguments.size() - 1)).isEqualTo(service.jar().toString());
    }

    @Test
    void aServiceStartedWithoutOptionsRunsWithTheStacksHeapAndExitsOnOutOfMemory() throws IOException {
        // given
        ServiceDefinition service = standIn();

        // when
        DetachedProcess process =
                start(service, JavaOptions.fromEnvironment(Map.of()).of(MODULE));

        // then
        assertThat(commandLine(process.pid()))
                .containsSubsequence(
                        "-Xmx512m",
                        "-XX:+ExitOnOutOfMemoryError",
                        "-jar",
                        service.jar().toString());
    }

    @Test
    void optionsAddedForOneModuleFollowThoseForEveryService() {
        // given
        JavaOptions options = new JavaOptions(List.of("-Xmx256m"), Map.of());

        // when
        JavaOptions more = options.with(MODULE, List.of("-Xlog:gc:file=gc.log"));

        // then
        assertThat(more.of(MODULE)).containsExactly("-Xmx256m", "-Xlog:gc:file=gc.log");
        assertThat(more.of("command-service")).containsExactly("-Xmx256m");
        assertThat(JavaOptions.variable("command-service")).isEqualTo("POLYGLOT_COMMAND_SERVICE_JAVA_OPTIONS");
    }

    private DetachedProcess start(ServiceDefinition service, List<String> options) {
        DetachedProcess process = service.start(options);
        started.add(process);
        return process;
    }

    /** The stand-in jar where the stack looks for the module's, and the service as the stack defines it. */
    private ServiceDefinition standIn() throws IOException {
        ServiceDefinition service = new ServiceDefinition(MODULE, MODULE, 0, Map.of(), home, repoRoot);
        Files.createDirectories(service.jar().getParent());
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, IdleService.class.getName());
        String entry = IdleService.class.getName().replace('.', '/') + ".class";
        try (OutputStream file = Files.newOutputStream(service.jar());
                JarOutputStream jar = new JarOutputStream(file, manifest);
                InputStream bytes = IdleService.class.getClassLoader().getResourceAsStream(entry)) {
            jar.putNextEntry(new JarEntry(entry));
            bytes.transferTo(jar);
            jar.closeEntry();
        }
        return service;
    }

    private static List<String> commandLine(long pid) throws IOException {
        String raw =
                new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline")), StandardCharsets.UTF_8);
        return List.of(raw.split("\0"));
    }
}
