package io.polyglot.projection.reallogs;

import java.math.BigDecimal;
import org.assertj.core.api.recursive.comparison.RecursiveComparisonConfiguration;

/**
 * How closely a view's computed numbers must match the reference fold's: medians are double precision in PostgreSQL
 * and in the test, means are numeric divisions that both round, each its own way.
 */
public final class Tolerances {

    /** Rows equal field by field, doubles within a relative 1e-9. */
    public static final RecursiveComparisonConfiguration MEDIANS = RecursiveComparisonConfiguration.builder()
            .withComparatorForType(Tolerances::compareDoubles, Double.class)
            .build();

    /** Rows equal field by field, decimals within 1e-12. */
    public static final RecursiveComparisonConfiguration MEANS = RecursiveComparisonConfiguration.builder()
            .withComparatorForType(Tolerances::compareDecimals, BigDecimal.class)
            .build();

    private Tolerances() {}

    private static int compareDoubles(Double one, Double other) {
        return Math.abs(one - other) <= 1e-9 * Math.max(1, Math.abs(one)) ? 0 : Double.compare(one, other);
    }

    private static int compareDecimals(BigDecimal one, BigDecimal other) {
        return one.subtract(other).abs().compareTo(new BigDecimal("1e-12")) <= 0 ? 0 : one.compareTo(other);
    }
}
