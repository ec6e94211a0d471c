package io.polyglot.importer.command;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class CommandIdsTest {

    @Test
    void givesTheSameIdForTheSameTypeCaseAndPosition() {
        assertThat(CommandIds.of("LoanApplication", "173688", 3))
                .isEqualTo(CommandIds.of("LoanApplication", "173688", 3));
    }

    @Test
    void isANameBasedUuidOfTypeCaseAndPositionJoinedByNul() {
        // given the name the ids are derived from
        UUID expected = UUID.nameUUIDFromBytes(
                "LoanApplication\u0000173688\u00003".getBytes(java.nio.charset.StandardCharsets.UTF_8));

        // when
        String id = CommandIds.of("LoanApplication", "173688", 3);

        // then
        assertThat(id).isEqualTo(expected.toString());
        assertThat(UUID.fromString(id).version()).isEqualTo(3);
    }

    @Test
    void differsWhenTypeCaseOrPositionDiffers() {
        // given ids that a plain concatenation without separators would confuse
        Set<String> ids = Set.of(
                CommandIds.of("Ticket", "Case 1", 12),
                CommandIds.of("Ticket", "Case 11", 2),
                CommandIds.of("Ticket", "Case 1", 2),
                CommandIds.of("Tickets", "Case 1", 2),
                CommandIds.of("Ticket", "Case 2", 12));

        // then
        assertThat(ids).hasSize(5);
    }
}
