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
 * time is in UTC, a different date for the evening hours); a reading without a valid date there is left out. A
 * temperature or precipitation that is missing, {@code NA} or not a number is left out of its aggregates.
 */
public final class WeatherDailyProjection implements Projection<WeatherDayChange> {

    /** The aggregate type this projection folds. */
    public static final String AGGREGATE_TYPE = "WeatherStation";

    /** The view it maintains. */
    public static final String VIEW = "weather_daily";

    static final String TEMPERATURE = "temp";
    static final String PRECIPITATION = "precip";

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

    /** The date the reading's year, month and day attributes name, or null when they name none. */
    static LocalDate localDate(Map<String, String> attributes) {
        try {
            return LocalDate.of(
                    Integer.parseInt(attributes.getOrDefault("year", "").trim()),
                    Integer.parseInt(attributes.getOrDefault("month", "").trim()),
                    Integer.parseInt(attributes.getOrDefault("day", "").trim()));
        } catch (NumberFormatException | DateTimeException e) {
            return null;
        }
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
