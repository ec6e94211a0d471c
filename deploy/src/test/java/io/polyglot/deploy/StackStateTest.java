package io.polyglot.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The kept ports and the command-service instances derived from them, without starting anything. */
class StackStateTest {
    @TempDir
    Path home;

    @Test
    void keepsTheInstancesPortsWhenScaledUpAndForgetsOnlyTheRemovedOnesWhenScaledDown() {
        // given
        StackState one = StackState.withFreePorts();

        // when
        StackState three = one.withCommandInstances(3);
        StackState two = three.withCommandInstances(2);

        // then
        assertThat(three.commandPorts()).hasSize(3).doesNotHaveDuplicates().startsWith(one.commandPort());
        assertThat(two.commandPorts())
                .containsExactlyElementsOf(three.commandPorts().subList(0, 2));
        assertThat(two.commandInstances()).isEqualTo(2);
    }

    @Test
    void storesTheInstancesPortsAndReadsAFileWrittenBeforeInstancesCouldBeScaled() throws Exception {
        // given
        StackState three = StackState.withFreePorts().withCommandInstances(3);
        three.save(home);
        Path older = home.resolve("older");
        Files.createDirectories(older);
        Files.writeString(
                older.resolve(StackState.FILE),
                "{\"kafkaPort\":1,\"postgresPort\":2,\"s3Port\":3,\"commandPort\":4,\"archiverHealthPort\":5,"
                        + "\"projectionHealthPort\":6}");

        // when
        StackState loaded = StackState.load(home).orElseThrow();
        StackState fromOlder = StackState.load(older).orElseThrow();

        // then
        assertThat(loaded.commandPorts()).containsExactlyElementsOf(three.commandPorts());
        assertThat(fromOlder.commandPorts()).containsExactly(4);
    }

    @Test
    void runsEachCommandServiceInstanceOnItsPortWithItsOwnStateFolderAndTheSharedApplicationId() {
        // given
        StackState three = StackState.withFreePorts().withCommandInstances(3);

        // when
        List<ServiceDefinition> instances = ServiceDefinition.commandServices(three, home, Path.of("/repo"));

        // then
        assertThat(instances)
                .extracting(ServiceDefinition::name)
                .containsExactly("command-service", "command-service-2", "command-service-3");
        assertThat(instances).extracting(ServiceDefinition::port).containsExactlyElementsOf(three.commandPorts());
        assertThat(instances)
                .extracting(instance -> instance.environment().get("HTTP_PORT"))
                .containsExactlyElementsOf(
                        three.commandPorts().stream().map(String::valueOf).toList());
        assertThat(instances)
                .extracting(instance -> instance.environment().get("DECIDER_APPLICATION_ID"))
                .containsOnly(ServiceDefinition.DECIDER_APPLICATION_ID);
        assertThat(instances)
                .extracting(instance -> Path.of(instance.environment().get("DECIDER_STATE_DIR")))
                .doesNotHaveDuplicates()
                .allMatch(dir -> dir.getParent().equals(home));
        assertThat(instances)
                .extracting(ServiceDefinition::jar)
                .containsOnly(Path.of("/repo/command-service/target/command-service.jar"));
        assertThat(instances).extracting(ServiceDefinition::pidFile).doesNotHaveDuplicates();
        assertThat(ServiceDefinition.all(three, home, Path.of("/repo")))
                .extracting(ServiceDefinition::name)
                .containsExactly(
                        "command-service",
                        "command-service-2",
                        "command-service-3",
                        "archiver-worker",
                        "projection-worker",
                        "dashboard");
    }

    @Test
    void makesOneRandomUrlSafeTokenOnTheFirstStartAndKeepsItInAFileOnlyItsOwnerReads() throws Exception {
        // given
        StackState first = StackState.withFreePorts();
        StackState other = StackState.withFreePorts();

        // when
        first.withCommandInstances(2).withToken().save(home);
        StackState loaded = StackState.load(home).orElseThrow();

        // then: 32 random bytes are 43 characters of URL-safe base64 without padding
        assertThat(first.token()).matches("[A-Za-z0-9_-]{43}").isNotEqualTo(other.token());
        assertThat(loaded.token()).isEqualTo(first.token());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(home.resolve(StackState.FILE))))
                .isEqualTo("rw-------");
        assertThat(loaded.toString()).doesNotContain(first.token());
    }

    @Test
    void givesAStateWrittenBeforeServicesHadATokenAFreshOne() throws Exception {
        // given
        Files.writeString(
                home.resolve(StackState.FILE),
                "{\"kafkaPort\":1,\"postgresPort\":2,\"s3Port\":3,\"commandPort\":4,\"archiverHealthPort\":5,"
                        + "\"projectionHealthPort\":6}");

        // when
        StackState older = StackState.load(home).orElseThrow();

        // then
        assertThat(older.token()).isNull();
        assertThat(older.withToken().token()).matches("[A-Za-z0-9_-]{43}");
    }

    @Test
    void keepsTheReadOnlyLoginThatAStateWrittenBeforeItLacksOnceTheServersGaveIt() throws Exception {
        // given: a file of a stack that had no read-only login yet
        Files.writeString(
                home.resolve(StackState.FILE),
                "{\"kafkaPort\":1,\"postgresPort\":2,\"s3Port\":3,\"commandPort\":4,\"archiverHealthPort\":5,"
                        + "\"projectionHealthPort\":6,\"token\":\"t\",\"dashboardPort\":7}");
        StackState older = StackState.load(home).orElseThrow();
        String reader = "postgresql://polyglot_reader:r@127.0.0.1:2/polyglot";

        // when
        older.withCredentials("postgresql://polyglot:p@127.0.0.1:2/polyglot", "p", reader, "a", "s")
                .withCommandInstances(2)
                .withToken()
                .withDashboardPort()
                .save(home);

        // then
        assertThat(older.readerDatabaseUrl()).isNull();
        assertThat(StackState.load(home).orElseThrow().readerDatabaseUrl()).isEqualTo(reader);
    }

    @Test
    void givesAStateWrittenBeforeTheStackRanADashboardAPortItKeeps() throws Exception {
        // given
        Files.writeString(
                home.resolve(StackState.FILE),
                "{\"kafkaPort\":1,\"postgresPort\":2,\"s3Port\":3,\"commandPort\":4,\"archiverHealthPort\":5,"
                        + "\"projectionHealthPort\":6,\"token\":\"t\"}");
        StackState older = StackState.load(home).orElseThrow();

        // when
        StackState withPort = older.withDashboardPort();
        withPort.save(home);

        // then
        assertThat(older.dashboardPort()).isZero();
        assertThat(withPort.dashboardPort()).isPositive();
        assertThat(StackState.load(home).orElseThrow().withDashboardPort().dashboardPort())
                .isEqualTo(withPort.dashboardPort());
    }

    @Test
    void pointsTheDashboardAtTheStacksServersAndServices() {
        // given
        StackState state = StackState.withFreePorts();

        // when
        ServiceDefinition dashboard = ServiceDefinition.all(state, home, Path.of("/repo")).stream()
                .filter(service -> service.name().equals("dashboard"))
                .findFirst()
                .orElseThrow();

        // then
        assertThat(dashboard.port()).isEqualTo(state.dashboardPort());
        assertThat(dashboard.jar()).isEqualTo(Path.of("/repo/dashboard/target/dashboard.jar"));
        assertThat(dashboard.environment())
                .containsEntry("HTTP_HOST", "127.0.0.1")
                .containsEntry("HTTP_PORT", String.valueOf(state.dashboardPort()))
                .containsEntry("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:" + state.kafkaPort())
                .containsEntry("COMMAND_URL", "http://127.0.0.1:" + state.commandPort())
                .containsEntry("ARCHIVER_HEALTH_URL", "http://127.0.0.1:" + state.archiverHealthPort())
                .containsEntry("PROJECTION_HEALTH_URL", "http://127.0.0.1:" + state.projectionHealthPort())
                .containsEntry("AWS_EC2_METADATA_DISABLED", "true");
    }

    @Test
    void letsEveryConsumerGroupOfTheStackMoveAStoppedMembersPartitionsWithinFifteenSeconds() {
        // given
        StackState state = StackState.withFreePorts().withCommandInstances(2);

        // when
        List<ServiceDefinition> services = ServiceDefinition.all(state, home, Path.of("/repo"));

        // then
        assertThat(services)
                .filteredOn(service -> service.module().equals("command-service"))
                .hasSize(2)
                .allSatisfy(service ->
                        assertThat(service.environment()).containsEntry("KAFKA_STREAMS_SESSION_TIMEOUT_MS", "15000"));
        assertThat(services)
                .filteredOn(service -> service.module().endsWith("-worker"))
                .extracting(ServiceDefinition::name)
                .containsExactly("archiver-worker", "projection-worker");
        assertThat(services)
                .filteredOn(service -> service.module().endsWith("-worker"))
                .allSatisfy(service ->
                        assertThat(service.environment()).containsEntry("KAFKA_CONSUMER_SESSION_TIMEOUT_MS", "15000"));
    }

    @Test
    void passesTheTokenToEveryServiceItStarts() {
        // given
        StackState state = StackState.withFreePorts().withCommandInstances(2);

        // when
        List<ServiceDefinition> services = ServiceDefinition.all(state, home, Path.of("/repo"));

        // then
        assertThat(services)
                .hasSize(5)
                .extracting(service -> service.environment().get("POLYGLOT_TOKEN"))
                .containsOnly(state.token());
    }

    @Test
    void refusesToScaleAnythingButTheCommandServiceOrToZeroInstances() {
        // when
        String workers = refused("up", "--scale", "archiver-worker=2");
        String none = refused("up", "--scale", "command-service=0");

        // then
        assertThat(workers).contains("only command-service scales");
        assertThat(none).contains("runs 1 to 8 instances, not 0");
        assertThat(home.resolve(StackState.FILE)).doesNotExist();
    }

    private String refused(String... args) {
        StringWriter err = new StringWriter();
        CommandLine commandLine = PolyglotCli.commandLine(home, Path.of("/repo"));
        commandLine.setErr(new PrintWriter(err, true));
        assertThat(commandLine.execute(args)).as("exit code").isEqualTo(2);
        return err.toString();
    }
}
