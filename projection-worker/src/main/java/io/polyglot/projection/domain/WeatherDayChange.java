package io.polyglot.projection.domain;

import java.math.BigDecimal;
import java.time.LocalDate;

/**
 * What one batch adds to one station's day behind {@code weather_daily}. A missing value is null and is left out of
 * every aggregate but {@code readings}.
 *
 * @param station the aggregate id
 * @param day the local date of the readings
 * @param readings how many readings of that day the batch holds
 * @param tempReadings how many of them have a temperature
 * @param tempSum the sum of their temperatures, or null when none has one
 * @param tempMin the lowest, or null
 * @param tempMax the highest, or null
 * @param precipSum the sum of their precipitation, or null when none has one
 * @param source where the batch's last reading of that day was read
 */
public record WeatherDayChange(
        String station,
        LocalDate day,
        long readings,
        long tempReadings,
        BigDecimal tempSum,
        BigDecimal tempMin,
        BigDecimal tempMax,
        BigDecimal precipSum,
        SourcePosition source) {}
