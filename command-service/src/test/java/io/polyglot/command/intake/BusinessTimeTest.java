package io.polyglot.command.intake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BusinessTimeTest {

    private static final String[] SHAPES = {
        "2011-10-01T00:38:44.546+02:00",
        "2011-10-01T00:38:44Z",
        "2011-10-01T00:38:44.123456-05:30",
        "0001-01-01T00:00:00Z",
        "9999-12-31T23:59:59.999999999-18:00",
    };

    private static final String ALPHABET = "0123456789-+:.TtZz 9x";

    @ParameterizedTest
    @ValueSource(
            strings = {
                "2011-10-01T00:38:44.546+02:00",
                "2011-10-01T00:38:44Z",
                "2011-10-01T00:38:44.1Z",
                "2011-10-01T00:38:44.123456789+14:00",
                "2011-10-01T00:38:44-00:00",
                "2011-10-01T00:38:44-00:30",
                "2012-02-29T12:00:00+18:00",
                "0000-01-01T00:00:00Z",
                "2011-10-01t00:38:44z",
                "2011-10-01T00:38Z",
                "2011-10-01T00:38:44+02:00:30",
                "+12011-10-01T00:38:44Z"
            })
    void readsWhatTheIsoFormatterReadsToTheSameTime(String text) {
        // when
        OffsetDateTime read = BusinessTime.parse(text);

        // then
        assertThat(read).isEqualTo(OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME));
        assertThat(read.getOffset())
                .isEqualTo(OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME)
                        .getOffset());
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "2011-02-29T00:38:44Z",
                "2011-10-01T24:00:00Z",
                "2011-10-01T23:59:60Z",
                "2011-10-01T00:38:44.1234567891Z",
                "2011-10-01T00:38:44+18:01",
                "2011-10-01T00:38:44+02:60",
                "2011-10-01T00:38:44+2:00",
                "2011-10-01T00:38:44",
                "2011-13-01T00:38:44Z",
                "2011-1O-01T00:38:44Z",
                "2011-10-01T00:38:44Z ",
                ""
            })
    void refusesWhatTheIsoFormatterRefuses(String text) {
        assertThatThrownBy(() -> OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME))
                .isInstanceOf(DateTimeParseException.class);
        assertThatThrownBy(() -> BusinessTime.parse(text)).isInstanceOf(DateTimeParseException.class);
    }

    @Test
    void agreesWithTheIsoFormatterOnThousandsOfChangedTimes() {
        // given: the common shapes with one to three characters replaced, inserted or removed
        Random random = new Random(20261205L);
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            StringBuilder text = new StringBuilder(SHAPES[random.nextInt(SHAPES.length)]);
            int changes = 1 + random.nextInt(3);
            for (int c = 0; c < changes; c++) {
                change(text, random);
            }
            texts.add(text.toString());
        }

        // when, then
        int read = 0;
        for (String text : texts) {
            Optional<OffsetDateTime> expected = parsed(text);
            Optional<OffsetDateTime> ours;
            try {
                ours = Optional.of(BusinessTime.parse(text));
            } catch (DateTimeParseException e) {
                ours = Optional.empty();
            }
            assertThat(ours).as(text).isEqualTo(expected);
            read += expected.isPresent() ? 1 : 0;
        }
        assertThat(read).as("changed times the formatter still reads").isGreaterThan(1_000);
    }

    private static Optional<OffsetDateTime> parsed(String text) {
        try {
            return Optional.of(OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    private static void change(StringBuilder text, Random random) {
        char c = ALPHABET.charAt(random.nextInt(ALPHABET.length()));
        int at = random.nextInt(text.length() + 1);
        switch (random.nextInt(4)) {
            case 0 -> text.insert(at, c);
            case 1 -> {
                if (at < text.length()) {
                    text.deleteCharAt(at);
                }
            }
            default -> {
                if (at < text.length()) {
                    text.setCharAt(at, c);
                }
            }
        }
    }
}
