package io.polyglot.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the local stack tells the dashboard about seeding: the checkout's importer jar and its datasets folder. */
class DashboardSeedingTest {

    @TempDir
    Path workspace;

    @Test
    void passesTheImporterJarAndTheDatasetsFolderBesideTheCheckout() throws Exception {
        // given a checkout with the shared datasets beside it
        Path checkout = Files.createDirectories(workspace.resolve("main"));
        Path datasets = Files.createDirectories(workspace.resolve("shared/datasets"));

        // when
        Map<String, String> seeding = ServiceDefinition.seeding(checkout);

        // then
        assertThat(seeding)
                .containsEntry(
                        "IMPORTER_JAR",
                        checkout.resolve("importer/target/importer.jar").toString())
                .containsEntry("SEED_DIRECTORY", datasets.toString());
    }

    @Test
    void leavesTheSeedFolderOutWhenTheCheckoutHasNoDatasetsBesideIt() throws Exception {
        // given
        Path checkout = Files.createDirectories(workspace.resolve("main"));

        // when
        Map<String, String> seeding = ServiceDefinition.seeding(checkout);

        // then
        assertThat(seeding).containsOnlyKeys("IMPORTER_JAR");
    }
}
