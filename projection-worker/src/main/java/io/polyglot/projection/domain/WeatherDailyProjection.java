package io.polyglot.projection.domain;

import java.math.BigDecimal;
import java.time.DateTimeException;
import java.time.LocalDate;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Folds the readings of {@value #AGGREGATE_TYPE} aggregates into {@code weather_daily}: per station and local day,
 * the number of readings and the minimum, maximum, mean temperature and total precipitation, units as in the source.
 * The day is the local date the reading's {@code year}, {@code month} and {@code day} attributes name (the business
 * time is in UTC, a different date for the evening hours); a reading without a valid date there is left out: each
 * part must be written in ASCII digits, the year from 1 to 9999 (what a PostgreSQL {@code date} and an ISO 8601 date
 * both write in four digits), the month and day a real day of it. A temperature or precipitation that is missing,
 * {@code NA} or not a number is left out of its aggregates.
 */
public final class WeatherDailyProjection implements Projection<WeatherDayChange> {

    /** The aggregate type this projection folds. */
    public static final String AGGREGATE_TYPE = "WeatherStation";

    /** The view it maintains. */
    public static final String VIEW = "weather_daily";

    static final String TEMPERATURE = "temp";
    static final String PRECIPITATION = "precip";

    private static final int FIRST_YEAR = 1;
    private static final int LAST_YEAR = 9_999;

    private static final Comparator<Key> KEY_ORDER =
            Comparator.comparing(Key::station).thenComparing(Key::day);

    @Override
    public String name() {
        return VIEW;
    }

    @Override
    public boolean folds(ProjectedEvent event) {
        return AGGREGATE_TYPE.equals(event.aggregateType());
    }

    @Override
    public List<WeatherDayChange> fold(List<ProjectedEvent> events) {
        Map<Key, Day> days = new TreeMap<>(KEY_ORDER);
        for (ProjectedEvent event : events) {
            if (!folds(event)) {
                continue;
            }
            LocalDate day = localDate(event.attributes());
            if (day != null) {
                days.computeIfAbsent(new Key(event.aggregateId(), day), key -> new Day())
                        .add(event);
            }
        }
        return days.entrySet().stream()
                .map(entry -> entry.getValue().change(entry.getKey()))
                .toList();
    }

    /**
     * The date the reading's year, month and day attributes name, or null when they name none that the view can hold:
     * a date PostgreSQL refuses would fail the worker's batch, and a run of them would pause every view.
     */
    static LocalDate localDate(Map<String, String> attributes) {
        int year = digits(attributes.get("year"));
        int month = digits(attributes.get("month"));
        int day = digits(attributes.get("day"));
        if (year < FIRST_YEAR || year > LAST_YEAR) {
            return null;
        }
        try {
            return LocalDate.of(year, month, day);
        } catch (DateTimeException e) {
            return null;
        }
    }

    /**
     * The number {@code text} writes in ASCII digits alone (at most nine, blanks around them allowed), or -1: Java's
     * own parsers also read other scripts' digits and a sign, which no source of these readings writes.
     */
    private static int digits(String text) {
        if (text == null) {
            return -1;
        }
        String trimmed = text.trim();
        if (trimmed.isEmpty() || trimmed.length() > 9) {
            return -1;
        }
        int value = 0;
        for (int i = 0; i < trimmed.length(); i++) {
            char c = trimmed.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    private record Key(String station, LocalDate day) {}

    private static final class Day {
        private long readings;
        private long tempReadings;
        private BigDecimal tempSum;
        private BigDecimal tempMin;
        private BigDecimal tempMax;
        private BigDecimal precipSum;
        private SourcePosition last;

        void add(ProjectedEvent event) {
            readings++;
            BigDecimal temp = DecimalText.parse(event.attributes().get(TEMPERATURE));
            if (temp != null) {
                tempReadings++;
                tempSum = tempSum == null ? temp : tempSum.add(temp);
                tempMin = tempMin == null || temp.compareTo(tempMin) < 0 ? temp : tempMin;
                tempMax = tempMax == null || temp.compareTo(tempMax) > 0 ? temp : tempMax;
            }
            BigDecimal precip = DecimalText.parse(event.attributes().get(PRECIPITATION));
            if (precip != null) {
                precipSum = precipSum == null ? precip : precipSum.add(precip);
            }
            last = new SourcePosition(event.partition(), event.offset());
        }

        WeatherDayChange change(Key key) {
            return new WeatherDayChange(
                    key.station(), key.day(), readings, tempReadings, tempSum, tempMin, tempMax, precipSum, last);
        }
    }
}
