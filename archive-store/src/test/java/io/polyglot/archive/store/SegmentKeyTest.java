package io.polyglot.archive.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class SegmentKeyTest {

    @Test
    void laysOutTypePaddedPartitionAndPaddedFirstOffset() {
        // given / when
        SegmentKey key = SegmentKey.of("Loan", 7, 1234);

        // then
        assertThat(key.value()).isEqualTo("events/Loan/p007/00000000000000001234.avro");
    }

    @Test
    void sortsKeysOfAChainInOffsetOrder() {
        // given
        String earlier = SegmentKey.of("Loan", 0, 99).value();
        String later = SegmentKey.of("Loan", 0, 100).value();

        // when / then
        assertThat(earlier).isLessThan(later);
    }

    @Test
    void readsTheKeyBackFromItsText() {
        // given
        SegmentKey key = SegmentKey.of("Ticket", 12, 5);

        // when
        Optional<SegmentKey> parsed = SegmentKey.parse(key.value());

        // then
        assertThat(parsed).contains(key);
        assertThat(parsed.get().holds("Ticket")).isTrue();
        assertThat(parsed.get().holds("Loan")).isFalse();
    }

    @Test
    void doesNotTakeOtherObjectsForSegments() {
        // given / when / then
        assertThat(SegmentKey.parse("events/Loan/p000/00000000000000000000.avro-1b2c"))
                .isEmpty();
        assertThat(SegmentKey.parse("events/Loan/p000/late/00000000000000000000.avro"))
                .isEmpty();
        assertThat(SegmentKey.parse("manifests/Loan/p000/0001.json")).isEmpty();
        assertThat(SegmentKey.parse("events/../p000/00000000000000000000.avro")).isEmpty();
    }

    @Test
    void putsAnAggregateTypeThroughTheSafeSegmentFunction() {
        // given / when
        SegmentKey key = SegmentKey.of("../etc", 0, 0);

        // then
        assertThat(key.typeSegment()).doesNotContain("/").isNotEqualTo("..");
        assertThat(key.value()).startsWith("events/").endsWith("/p000/00000000000000000000.avro");
        assertThatThrownBy(() -> new SegmentKey("a/b", 0, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
