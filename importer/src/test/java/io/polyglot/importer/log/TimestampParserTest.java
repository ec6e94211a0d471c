package io.polyglot.importer.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.ZoneId;
import org.junit.jupiter.api.Test;

class TimestampParserTest {

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
}
