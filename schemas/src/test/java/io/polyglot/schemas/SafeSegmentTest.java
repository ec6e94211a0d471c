package io.polyglot.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SafeSegmentTest {

    private static final Pattern SAFE = Pattern.compile("^[A-Za-z0-9_%~-]+$");

    private static final List<String> HOSTILE = List.of(
            "../../x",
            "a/../b",
            "..",
            ".",
            "a\\b",
            "..\\..\\x",
            "nul\0byte",
            "Ｌｏａｎ",
            "CON",
            "con",
            "Lpt1",
            "",
            " ",
            "x".repeat(300),
            "é".repeat(300),
            "Case 1",
            "%41",
            "A",
            "~",
            ".hidden",
            "trailing.");

    @Test
    void leavesAValidAggregateTypeUnchanged() {
        assertThat(SafeSegment.of("LoanApplication")).isEqualTo("LoanApplication");
        assertThat(SafeSegment.of("HelpdeskTicket")).isEqualTo("HelpdeskTicket");
    }

    @Test
    void producesOnlySafeCharactersForHostileNames() {
        for (String name : HOSTILE) {
            String segment = SafeSegment.of(name);
            assertThat(segment).as("segment of %s", name).matches(SAFE).isNotIn(".", "..");
            assertThat(segment.length()).isLessThanOrEqualTo(SafeSegment.MAX_LENGTH);
        }
    }

    @Test
    void neverMapsTwoDistinctNamesToOneSegment() {
        Set<String> segments = new HashSet<>();
        for (String name : HOSTILE) {
            segments.add(SafeSegment.of(name));
        }
        assertThat(segments).hasSameSizeAs(new HashSet<>(HOSTILE));
    }

    @Test
    void keepsLookAlikesAndEscapesApart() {
        assertThat(SafeSegment.of("A")).isNotEqualTo(SafeSegment.of("Ａ"));
        assertThat(SafeSegment.of("%41")).isNotEqualTo(SafeSegment.of("A"));
        assertThat(SafeSegment.of("a b")).isNotEqualTo(SafeSegment.of("a%20b"));
        assertThat(SafeSegment.of("")).isNotEqualTo(SafeSegment.of("\0"));
    }

    @Test
    void keepsLongNamesThatShareAPrefixApart() {
        String base = "y".repeat(299);
        assertThat(SafeSegment.of(base + "1")).isNotEqualTo(SafeSegment.of(base + "2"));
        assertThat(SafeSegment.of(base + "1")).hasSize(SafeSegment.MAX_LENGTH).contains("~");
    }

    @ParameterizedTest
    @ValueSource(strings = {"con", "nul", "aux", "com1", "lPt9"})
    void escapesDeviceNamesThatAreNotAggregateTypes(String name) {
        assertThat(SafeSegment.of(name)).startsWith("%").endsWith(name.substring(1));
    }

    @Test
    void encodesTheFullUtf8FormOfFullWidthLetters() {
        assertThat(SafeSegment.of("Ｌ")).isEqualTo("%EF%BC%AC");
    }
}
