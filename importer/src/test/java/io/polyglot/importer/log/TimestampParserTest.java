package io.polyglot.importer.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.ZoneId;
import org.junit.jupiter.api.Test;

class TimestampParserTest {

    private static final TimestampParser AMSTERDAM_ISO = TimestampParser.of(null, ZoneId.of("Europe/Amsterdam"));
    private static final TimestampParser AMSTERDAM_PATTERN =
            TimestampParser.of("yyyy-MM-dd HH:mm:ss", ZoneId.of("Europe/Amsterdam"));

    @Test
    void passesIsoTimesWithAnOffsetThroughUnchanged() {
        // given
        TimestampParser parser = TimestampParser.isoWithOffset();

        // when / then
        assertThat(parser.parse("2011-10-01T00:38:44.546+02:00")).hasValue("2011-10-01T00:38:44.546+02:00");
        assertThat(parser.parse("2013-01-01T06:00:00Z")).hasValue("2013-01-01T06:00:00Z");
    }

    @Test
    void refusesATimeWithoutOffsetWhenNoZoneIsGiven() {
        // given
        TimestampParser parser = TimestampParser.isoWithOffset();

        // when / then
        assertThat(parser.parse("2013-01-01T06:00:00")).isEmpty();
        assertThat(parser.parse("not a time")).isEmpty();
    }

    @Test
    void placesATimeWithoutOffsetInTheGivenZone() {
        // given
        TimestampParser parser = TimestampParser.of(null, ZoneId.of("America/New_York"));

        // when / then
        assertThat(parser.parse("2013-01-01T01:00:00")).hasValue("2013-01-01T01:00:00-05:00");
    }

    @Test
    void readsAPatternWithItsOwnOffsetWithoutAZone() {
        // given
        TimestampParser parser = TimestampParser.of("yyyy/MM/dd HH:mm:ss XXX", null);

        // when / then
        assertThat(parser.parse("2012/10/09 14:50:17 +02:00")).hasValue("2012-10-09T14:50:17+02:00");
        assertThat(parser.parse("2012/10/09 14:50:17")).isEmpty();
    }

    @Test
    void readsADateOnlyPatternAsTheStartOfThatDayInTheZone() {
        // given
        TimestampParser parser = TimestampParser.of("yyyy-MM-dd", ZoneId.of("UTC"));

        // when / then
        assertThat(parser.parse("2013-01-01")).hasValue("2013-01-01T00:00:00Z");
    }

    @Test
    void refusesAnInvalidPattern() {
        assertThatThrownBy(() -> TimestampParser.of("yyyy-MM-dd {", null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void readsALocalTimeInTheGapOfAChangeToSummerTimeWithTheOffsetBeforeTheGap() {
        // given Amsterdam, where 2012-03-25 02:00 was followed by 03:00
        // when / then: 02:30 with the winter offset, +01:00, is 01:30Z, written with the summer offset
        assertThat(AMSTERDAM_ISO.parse("2012-03-25T02:30:00")).hasValue("2012-03-25T03:30:00+02:00");
        assertThat(AMSTERDAM_PATTERN.parse("2012-03-25 02:30:00")).hasValue("2012-03-25T03:30:00+02:00");
    }

    @Test
    void readsALocalTimeInTheOverlapOfAChangeToWinterTimeAsTheFirstOfTheTwo() {
        // given Amsterdam, where 2012-10-28 02:00 to 03:00 happened twice, first at +02:00, then at +01:00
        // when / then: the earlier offset, the summer one
        assertThat(AMSTERDAM_ISO.parse("2012-10-28T02:30:00")).hasValue("2012-10-28T02:30:00+02:00");
        assertThat(AMSTERDAM_PATTERN.parse("2012-10-28 02:30:00")).hasValue("2012-10-28T02:30:00+02:00");
    }
}
