package io.polyglot.command.decider;

import static org.assertj.core.api.Assertions.assertThat;

import io.polyglot.command.intake.CommandPosition;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

class DecisionHeadersTest {

    @Test
    void readsBackTheCommandRecordItNames() {
        // given
        RecordHeaders headers = new RecordHeaders();
        DecisionHeaders.write(headers, 31, 9_876_543_210L);

        // when
        CommandPosition answered = DecisionHeaders.answered(headers);

        // then
        assertThat(answered).isEqualTo(new CommandPosition(31, 9_876_543_210L));
        assertThat(new String(headers.lastHeader("command.offset").value(), StandardCharsets.UTF_8))
                .isEqualTo("9876543210");
    }

    @Test
    void namesNoRecordForADecisionOfAnEarlierVersionWithoutTheHeaders() {
        assertThat(DecisionHeaders.answered(new RecordHeaders())).isNull();
    }

    @Test
    void namesNoRecordWhenAHeaderIsMissingOrUnreadable() {
        // given
        RecordHeaders partitionOnly = new RecordHeaders();
        partitionOnly.add(DecisionHeaders.COMMAND_PARTITION, "1".getBytes(StandardCharsets.UTF_8));
        RecordHeaders unreadable = new RecordHeaders();
        unreadable.add(DecisionHeaders.COMMAND_PARTITION, "1".getBytes(StandardCharsets.UTF_8));
        unreadable.add(DecisionHeaders.COMMAND_OFFSET, "forty".getBytes(StandardCharsets.UTF_8));

        // when, then
        assertThat(DecisionHeaders.answered(partitionOnly)).isNull();
        assertThat(DecisionHeaders.answered(unreadable)).isNull();
    }
}
