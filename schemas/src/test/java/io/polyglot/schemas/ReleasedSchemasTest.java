package io.polyglot.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.junit.jupiter.api.Test;

/**
 * Every schema version ever released is kept in {@code src/test/resources/released/} as {@code {fullName}-{n}.avsc};
 * the build fails when a schema of this build cannot read a released version of its record, when a reader of a
 * released version cannot read this build's, when a record's full name changed, or when this build writes a schema
 * that is not recorded there as released yet (copy it in as the next number when you change a schema).
 */
class ReleasedSchemasTest {

    private static final Path RELEASED = Path.of("src/test/resources/released");

    @Test
    void everySchemaOfThisBuildIsRecordedAsReleased() {
        List<Schema> released = released();
        for (Schema current : KnownSchemas.all().values()) {
            assertThat(released)
                    .as("%s is written by this build but not recorded in %s", current.getFullName(), RELEASED)
                    .anySatisfy(version ->
                            assertThat(KnownSchemas.fingerprint(version)).isEqualTo(KnownSchemas.fingerprint(current)));
        }
    }

    @Test
    void everySchemaOfThisBuildReadsAndIsReadByEveryReleasedVersionOfItsRecord() {
        for (Schema current : KnownSchemas.all().values()) {
            List<Schema> versions = released().stream()
                    .filter(version -> version.getFullName().equals(current.getFullName()))
                    .toList();
            assertThat(versions)
                    .as("released versions of %s", current.getFullName())
                    .isNotEmpty();
            for (Schema version : versions) {
                assertThat(problems(current, version)).as(current.getFullName()).isEmpty();
            }
        }
    }

    @Test
    void everyReleasedRecordIsStillWrittenUnderItsFullName() {
        List<String> names =
                KnownSchemas.all().values().stream().map(Schema::getFullName).toList();
        assertThat(released())
                .extracting(Schema::getFullName)
                .allSatisfy(name -> assertThat(names)
                        .as("a released record is no longer written by this build: was it renamed?")
                        .contains(name));
    }

    @Test
    void aChangedFieldTypeOrANewFieldWithoutDefaultIsCaught() {
        // given a released version and two careless changes to it
        Schema released = KnownSchemas.all().values().stream()
                .filter(schema -> schema.getName().equals("ActivityRecorded"))
                .findFirst()
                .orElseThrow();
        Schema retyped = withFields(
                released,
                field -> field.name().equals("activity")
                        ? new Schema.Field(field.name(), Schema.create(Schema.Type.INT), field.doc())
                        : copy(field));
        Schema required = withFields(released, field -> copy(field));
        List<Schema.Field> withBranch = new ArrayList<>(
                required.getFields().stream().map(ReleasedSchemasTest::copy).toList());
        withBranch.add(new Schema.Field("branch", Schema.create(Schema.Type.STRING), "new, without a default"));
        required =
                Schema.createRecord(released.getName(), released.getDoc(), released.getNamespace(), false, withBranch);

        // when / then
        assertThat(problems(retyped, released)).isNotEmpty();
        assertThat(problems(required, released)).isNotEmpty();
        assertThat(problems(released, released)).isEmpty();
    }

    private static Schema withFields(Schema record, Function<Schema.Field, Schema.Field> change) {
        return Schema.createRecord(
                record.getName(),
                record.getDoc(),
                record.getNamespace(),
                false,
                record.getFields().stream().map(change).toList());
    }

    private static Schema.Field copy(Schema.Field field) {
        return new Schema.Field(field, field.schema());
    }

    /** Why {@code current} and {@code released} cannot read each other's data; empty when both ways work. */
    private static List<String> problems(Schema current, Schema released) {
        List<String> problems = new ArrayList<>();
        var reads = SchemaCompatibility.checkReaderWriterCompatibility(current, released);
        if (reads.getType() != SchemaCompatibilityType.COMPATIBLE) {
            problems.add("this build cannot read the released version: "
                    + reads.getResult().getIncompatibilities());
        }
        var isRead = SchemaCompatibility.checkReaderWriterCompatibility(released, current);
        if (isRead.getType() != SchemaCompatibilityType.COMPATIBLE) {
            problems.add("readers of the released version cannot read this build's: "
                    + isRead.getResult().getIncompatibilities());
        }
        return problems;
    }

    private static List<Schema> released() {
        try (Stream<Path> files = Files.list(RELEASED)) {
            return files.filter(file -> file.getFileName().toString().endsWith(".avsc"))
                    .sorted()
                    .map(ReleasedSchemasTest::parse)
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + RELEASED, e);
        }
    }

    private static Schema parse(Path file) {
        try {
            Schema schema = new Schema.Parser().parse(file.toFile());
            String name = file.getFileName().toString();
            assertThat(name).as("file name of a released schema").startsWith(schema.getFullName() + "-");
            return schema;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }
}
