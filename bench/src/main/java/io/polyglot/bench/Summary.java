package io.polyglot.bench;

import java.util.List;

/**
 * A figure over the rounds of a stage.
 *
 * @param median the median (the mean of the middle two for an even count)
 * @param min the smallest
 * @param max the largest
 * @param unit the unit of all three
 */
record Summary(double median, double min, double max, String unit) {
    static Summary of(List<Double> values, String unit) {
        if (values.isEmpty()) {
            throw new IllegalArgumentException("a summary needs at least one value");
        }
        List<Double> sorted = values.stream().sorted().toList();
        int middle = sorted.size() / 2;
        double median = sorted.size() % 2 == 1 ? sorted.get(middle) : (sorted.get(middle - 1) + sorted.get(middle)) / 2;
        return new Summary(median, sorted.get(0), sorted.get(sorted.size() - 1), unit);
    }
}
