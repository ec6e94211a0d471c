package io.polyglot.archive.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.polyglot.schemas.Topics;
import io.polyglot.schemas.UndecodableRecordException;
import io.polyglot.testservers.TestEvents;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.List;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.util.ClassSecurityValidator;
import org.apache.avro.util.ClassSecurityValidator.ClassSecurityPredicate;
import org.junit.jupiter.api.Test;

/** Segment files read back whatever the process did before. */
class SegmentFormatTest {

    @Test
    void readsASegmentInAProcessWhoseAvroPolicyTrustsOnlyAvrosDefaults() throws Exception {
        // given: a segment written, then Avro's policy as a fresh process has it (a CLI that reads a segment before
        // it ever touched the codec)
        SegmentKey key = SegmentKey.of("Ticket", 2, 40);
        List<ArchivedEvent> events = List.of(
                new ArchivedEvent(40, TestEvents.event("Ticket", "T1", 1)),
                new ArchivedEvent(41, TestEvents.event("Ticket", "T1", 2)));
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        SegmentFormat.write(key, Topics.EVENTS_ALL, events, file);
        ClassSecurityPredicate before = ClassSecurityValidator.getGlobal();
        ClassSecurityValidator.setGlobal(ClassSecurityValidator.DEFAULT);
        try {
            // when
            SegmentContents contents = SegmentFormat.read(new ByteArrayInputStream(file.toByteArray()));

            // then
            assertThat(contents.offsets()).containsExactly(40L, 41L);
            assertThat(contents.events())
                    .extracting(envelope -> envelope.getCommandId())
                    .containsExactly("Ticket-T1-1", "Ticket-T1-2");
        } finally {
            ClassSecurityValidator.setGlobal(before);
        }
    }

    @Test
    void refusesAFileWhoseHeaderNamesALengthNoJavaArrayHolds() throws Exception {
        // given: the container magic, one metadata entry, and a key length of 2^40 bytes
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        file.write(new byte[] {'O', 'b', 'j', 1});
        BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(file, null);
        encoder.writeMapStart();
        encoder.setItemCount(1);
        encoder.startItem();
        encoder.writeLong(1L << 40);
        encoder.flush();

        // then: undecodable, as any other bytes that are no segment
        assertThatThrownBy(() -> SegmentFormat.read(new ByteArrayInputStream(file.toByteArray())))
                .isInstanceOf(UndecodableRecordException.class)
                .hasMessageContaining("not a readable segment file");
    }
}
