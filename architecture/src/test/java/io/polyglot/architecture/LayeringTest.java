package io.polyglot.architecture;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The layering rules of the design, checked on the compiled main classes of every module. Each rule's reason says how
 * to fix a violation.
 */
class LayeringTest {

    private static JavaClasses classes;

    @BeforeAll
    static void importProductionClasses() {
        classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.polyglot");
    }

    @Test
    void readsTheClassesOfEveryModule() {
        // the rules below would pass on nothing, so first make sure every module's classes are there
        assertThat(classes.stream().map(c -> c.getName()))
                .contains(
                        "io.polyglot.schemas.EventCodec",
                        "io.polyglot.runtime.Settings",
                        "io.polyglot.stack.KafkaBroker",
                        "io.polyglot.archive.store.ArchiveStore",
                        "io.polyglot.readmodel.ReadModelMigrations",
                        "io.polyglot.command.CommandServiceMain",
                        "io.polyglot.archiver.ArchiverMain",
                        "io.polyglot.projection.ProjectionMain",
                        "io.polyglot.importer.ImportMain",
                        "io.polyglot.dashboard.DashboardMain");
        assertThat(classes.stream().filter(c -> c.getPackageName().startsWith("io.polyglot.projection.readmodel")))
                .isNotEmpty();
    }

    @Test
    void schemasDependOnNothingElseInTheProject() {
        rule(noClasses()
                        .that()
                        .resideInAPackage("io.polyglot.schemas..")
                        .should()
                        .dependOnClassesThat(
                                resideInAPackage("io.polyglot..").and(not(resideInAPackage("io.polyglot.schemas.."))))
                        .as("schemas depend on nothing in the project")
                        .because("every process reads them; move what the schemas need into the schemas"))
                .check(classes);
    }

    @Test
    void noServiceDependsOnAnotherService() {
        String[] services = {
            "io.polyglot.command..",
            "io.polyglot.archiver..",
            "io.polyglot.projection..",
            "io.polyglot.importer..",
            "io.polyglot.dashboard.."
        };
        for (String service : services) {
            String[] others = java.util.Arrays.stream(services)
                    .filter(s -> !s.equals(service))
                    .toArray(String[]::new);
            rule(noClasses()
                            .that()
                            .resideInAPackage(service)
                            .should()
                            .dependOnClassesThat()
                            .resideInAnyPackage(others)
                            .because("services talk through Kafka and HTTP; move what two services share into"
                                    + " schemas, service-runtime or an adapter module"))
                    .check(classes);
        }
    }

    @Test
    void awsSdkTypesStayInsideTheArchiveStore() {
        rule(noClasses()
                        .that()
                        .resideOutsideOfPackage("io.polyglot.archive.store..")
                        .should()
                        .dependOnClassesThat()
                        .resideInAPackage("software.amazon.awssdk..")
                        .because("the archive store is the one adapter to S3; add the operation you need to"
                                + " io.polyglot.archive.store.ArchiveStore"))
                .check(classes);
    }

    @Test
    void jooqTypesStayInsideTheReadModelCode() {
        rule(noClasses()
                        .that()
                        .resideOutsideOfPackages("io.polyglot.readmodel..", "io.polyglot.projection.readmodel..")
                        .should()
                        .dependOnClassesThat()
                        .resideInAPackage("org.jooq..")
                        .because("SQL belongs to the read-model code; move the query into a readmodel package"))
                .check(classes);
    }

    @Test
    void kafkaClientTypesStayOutOfDomainRules() {
        rule(noClasses()
                        .that()
                        .resideInAPackage("..domain..")
                        .should()
                        .dependOnClassesThat()
                        .resideInAPackage("org.apache.kafka..")
                        .because("domain rules are plain classes tested without a broker; pass them decoded"
                                + " values instead of records"))
                .check(classes);
    }

    private static ArchRule rule(ArchRule rule) {
        return rule.allowEmptyShould(true);
    }
}
