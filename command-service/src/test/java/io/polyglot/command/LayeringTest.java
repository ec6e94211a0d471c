package io.polyglot.command;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The command rules stay free of transport: HTTP and Kafka are adapters around them, not inside them. */
class LayeringTest {

    private final JavaClasses classes = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.polyglot.command");

    @Test
    void keepsKafkaAndHttpTypesOutOfTheCommandRules() {
        noClasses()
                .that()
                .resideInAPackage("io.polyglot.command.intake..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("org.apache.kafka..", "io.javalin..", "org.eclipse.jetty..", "jakarta.servlet..")
                .because("command types must run unchanged inside the decider; move transport code to the http or"
                        + " kafka package")
                .check(classes);
    }

    @Test
    void keepsKafkaAndHttpTypesOutOfTheAggregateRules() {
        noClasses()
                .that()
                .resideInAPackage("io.polyglot.command.rules..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("org.apache.kafka..", "io.javalin..", "org.eclipse.jetty..", "jakarta.servlet..")
                .because("aggregate rules are plain classes a team writes and tests without a broker; move transport"
                        + " code to the kafka or http package")
                .check(classes);
    }

    @Test
    void keepsKafkaClientTypesOutOfTheHttpLayer() {
        noClasses()
                .that()
                .resideInAPackage("io.polyglot.command.http..")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("org.apache.kafka..")
                .because("the HTTP layer talks to Kafka only through EventSink; put producer code in the kafka package")
                .check(classes);
    }
}
