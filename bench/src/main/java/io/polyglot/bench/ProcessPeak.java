package io.polyglot.bench;

/**
 * One process of the run and the most memory it held.
 *
 * @param name the component, e.g. {@code kafka} or {@code command-service}
 * @param pid its process id
 * @param peakRssKiB VmHWM in KiB, or -1 where it could not be read
 */
record ProcessPeak(String name, long pid, long peakRssKiB) {}
