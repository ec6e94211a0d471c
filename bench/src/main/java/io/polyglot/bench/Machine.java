package io.polyglot.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The machine the figures were taken on.
 *
 * @param cores processors this JVM sees
 * @param memoryMiB total memory (MemTotal of /proc/meminfo), 0 where unknown
 * @param jdk the JDK's vendor, name and version
 * @param os the operating system and its version
 */
record Machine(int cores, long memoryMiB, String jdk, String os) {
    /** The kernel's clock ticks a second in {@code /proc/stat} and {@code /proc/<pid>/stat} (USER_HZ on Linux). */
    static final double TICKS_PER_SECOND = 100.0;

    static Machine current() {
        String jdk = System.getProperty("java.vendor") + " " + System.getProperty("java.vm.name") + " "
                + System.getProperty("java.runtime.version");
        String os = System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch");
        long memoryKiB = procValueKiB(Path.of("/proc/meminfo"), "MemTotal:").orElse(0L);
        return new Machine(Runtime.getRuntime().availableProcessors(), memoryKiB / 1024, jdk, os);
    }

    /** The peak resident set size (VmHWM) of process {@code pid} in KiB, if it still runs. */
    static Optional<Long> peakRssKiB(long pid) {
        return procValueKiB(Path.of("/proc", Long.toString(pid), "status"), "VmHWM:");
    }

    /**
     * The CPU time the process has used so far, user and system, from {@code /proc/<pid>/stat} (in clock ticks of
     * 1/100 s, the kernel's USER_HZ on Linux); empty when it is gone or not readable.
     */
    static Optional<Double> cpuSeconds(long pid) {
        return statTicks(pid).map(ticks -> ticks[0] / TICKS_PER_SECOND);
    }

    /**
     * {@code {utime + stime, cutime + cstime}} of {@code /proc/<pid>/stat} (fields 14 to 17), in clock ticks: the
     * process's own CPU time and that of the children it reaped; empty when it is gone or not readable.
     */
    static Optional<long[]> statTicks(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // The command name (field 2) is in parentheses and may hold spaces: count the fields after its end.
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long own = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
            long children = Long.parseLong(fields[13]) + Long.parseLong(fields[14]);
            return Optional.of(new long[] {own, children});
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static Optional<Long> procValueKiB(Path file, String key) {
        try {
            List<String> lines = Files.readAllLines(file);
            return lines.stream()
                    .filter(line -> line.startsWith(key))
                    .map(line -> line.substring(key.length()).trim().split("\\s+")[0])
                    .map(Long::parseLong)
                    .findFirst();
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }
}
