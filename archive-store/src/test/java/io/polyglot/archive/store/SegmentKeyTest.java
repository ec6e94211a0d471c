package io.polyglot.archive.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
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

    /** Type names as hostile input could spell them. */
    static final List<String> HOSTILE_NAMES = List.of(
            "../../x",
            "a/../b",
            "..",
            ".",
            "a\\..\\b",
            "..\\..\\x",
            "nul\u0000byte",
            "\u0000",
            "ＬＯＡＮ／．．",
            "Ｌoan",
            "CON",
            "con",
            "Con.txt",
            "x".repeat(300),
            "%2e%2e%2f",
            "%2F..%2F",
            "%",
            "",
            " ",
            "index",
            "events/Loan/p000",
            "Loan/p000/00000000000000000000.avro");

    @Test
    void keepsKeysFromHostileTypeNamesInsideTheirFoldersWithOnlySafeSegments() {
        // given
        Path root = Path.of("/restore");

        // when
        List<SegmentKey> keys =
                HOSTILE_NAMES.stream().map(name -> SegmentKey.of(name, 7, 42)).toList();

        // then
        assertThat(keys)
                .extracting(SegmentKey::typeSegment)
                .doesNotHaveDuplicates()
                .allSatisfy(segment -> assertThat(segment)
                        .matches("[A-Za-z0-9_%~-]+")
                        .isNotIn(".", "..")
                        .hasSizeLessThanOrEqualTo(200));
        assertThat(keys).allSatisfy(key -> {
            assertThat(key.value()).startsWith(SegmentKey.EVENTS_PREFIX).endsWith("/p007/00000000000000000042.avro");
            assertThat(key.value().getBytes(StandardCharsets.UTF_8)).hasSizeLessThanOrEqualTo(KeyPaths.MAX_KEY_BYTES);
            assertThat(SegmentKey.parse(key.value())).contains(key);
            assertThat(KeyPaths.resolveInside(root, key.value())).startsWithRaw(root.resolve("events"));
            assertThat(key.indexEntry()).startsWith(SegmentKey.indexPrefix(7));
            assertThat(KeyPaths.resolveInside(root, key.indexEntry())).startsWithRaw(root.resolve("index/p007"));
            assertThat(SegmentKey.chainPrefixOfIndexEntry(key.indexEntry(), 7))
                    .contains(SegmentKey.chainPrefixOfSegment(key.typeSegment(), 7));
            String manifest = ManifestPart.prefix(key.typeSegment(), 7) + "0000000000.json";
            assertThat(KeyPaths.resolveInside(root, manifest)).startsWithRaw(root.resolve("manifests"));
        });
        assertThat(SegmentKey.of("Loan", 7, 42).typeSegment()).isEqualTo("Loan");
    }

    @Test
    void refusesATypeSegmentThatCouldLeaveItsFolderWhereverAKeyIsBuilt() {
        // given
        List<String> unsafe = List.of("..", ".", "a/b", "a\\b", "", "a\u0000");

        // when / then
        assertThat(unsafe).allSatisfy(segment -> {
            assertThatThrownBy(() -> ManifestPart.prefix(segment, 0)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> SegmentKey.chainPrefixOfSegment(segment, 0))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThat(SegmentKey.chainPrefixOfIndexEntry(SegmentKey.indexPrefix(0) + segment, 0))
                    .isEmpty();
        });
    }
}
