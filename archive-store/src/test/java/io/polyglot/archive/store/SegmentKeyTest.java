package io.polyglot.archive.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
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
    void padsPartitionsAndOffsetsAsTheFormatStringsOfTheLayoutDo() {
        List<Integer> partitions = new ArrayList<>(List.of(9_999, 10_000, 123_456, Integer.MAX_VALUE, -1, -42));
        for (int partition = 0; partition <= 1_100; partition++) {
            partitions.add(partition);
        }
        List<Long> offsets = new ArrayList<>(List.of(Long.MAX_VALUE, 99_999_999_999L, 100_000_000_000L));
        for (long offset = 1; offset > 0 && offset < Long.MAX_VALUE / 10; offset *= 10) {
            offsets.addAll(List.of(offset - 1, offset, offset + 7));
        }
        for (int partition : partitions) {
            assertThat(SegmentKey.partitionFolder(partition)).isEqualTo(String.format("p%03d/", partition));
            assertThat(SegmentKey.chainPrefixOfSegment("Loan", partition))
                    .isEqualTo(String.format("events/Loan/p%03d/", partition));
            assertThat(ManifestPart.prefix("Loan", partition)).endsWith(String.format("/Loan/p%03d/", partition));
            if (partition >= 0) {
                for (long offset : offsets) {
                    assertThat(new SegmentKey("Loan", partition, offset).value())
                            .isEqualTo(String.format("events/Loan/p%03d/%020d.avro", partition, offset));
                }
            }
        }
    }

    @Test
    void judgesTypeSegmentsCharacterByCharacterAsTheirPatternSays() {
        Pattern pattern = Pattern.compile("^[A-Za-z0-9_%~-]+$");
        assertThat(SegmentKey.isTypeSegment(null)).isFalse();
        assertThat(SegmentKey.isTypeSegment("")).isFalse();
        for (char c = 0; c < 0x300; c++) {
            for (String text : List.of("" + c, c + "Loan", "Lo" + c + "an", "Loan" + c, "" + c + c)) {
                assertThat(SegmentKey.isTypeSegment(text))
                        .as("U+%04X in %s", (int) c, text)
                        .isEqualTo(pattern.matcher(text).matches());
            }
        }
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
