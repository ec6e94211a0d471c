package io.polyglot.archive.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SegmentMetadataTest {

    private static final String SHA = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

    @Test
    void writesTheNamesAndFormatsOfTheContract() {
        // given
        SegmentMetadata meta = new SegmentMetadata(SHA, 100, 199, 100, 0x0123456789abcdefL);

        // when
        Map<String, String> user = meta.toUserMetadata();

        // then
        assertThat(user)
                .containsExactlyInAnyOrderEntriesOf(Map.of(
                        "sha256", SHA,
                        "first-offset", "100",
                        "last-offset", "199",
                        "event-count", "100",
                        "schema-fingerprint", "0123456789abcdef"));
    }

    @Test
    void readsBackWhatItWrote() {
        // given
        SegmentMetadata meta = new SegmentMetadata(SHA, 3, 40, 12, -42L);

        // when / then
        assertThat(SegmentMetadata.fromUserMetadata(meta.toUserMetadata())).contains(meta);
    }

    @Test
    void readsNothingFromMetadataThatIsMissingOrMalformed() {
        // given
        Map<String, String> missing = new HashMap<>(new SegmentMetadata(SHA, 3, 40, 12, 1L).toUserMetadata());
        missing.remove("event-count");
        Map<String, String> malformed = new HashMap<>(new SegmentMetadata(SHA, 3, 40, 12, 1L).toUserMetadata());
        malformed.put("sha256", SHA.toUpperCase(java.util.Locale.ROOT));

        // when / then
        assertThat(SegmentMetadata.fromUserMetadata(missing)).isEmpty();
        assertThat(SegmentMetadata.fromUserMetadata(malformed)).isEmpty();
    }

    @Test
    void refusesACountThatDoesNotFitTheOffsets() {
        // given / when / then
        assertThatThrownBy(() -> new SegmentMetadata(SHA, 10, 14, 6, 1L))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("does not fit");
    }

    @Test
    void tellsTheSameSegmentFromTheSameCutWithOtherBytes() {
        // given
        SegmentMetadata stored = new SegmentMetadata(SHA, 0, 9, 10, 1L);
        SegmentMetadata otherBytes = new SegmentMetadata(SHA.replace('9', '8'), 0, 9, 10, 1L);
        SegmentMetadata otherCut = new SegmentMetadata(SHA, 0, 12, 10, 1L);

        // when / then
        assertThat(stored.sameSegmentAs(stored)).isTrue();
        assertThat(stored.sameSegmentAs(otherBytes)).isFalse();
        assertThat(stored.sameCutAs(otherBytes)).isTrue();
        assertThat(stored.sameCutAs(otherCut)).isFalse();
    }
}
