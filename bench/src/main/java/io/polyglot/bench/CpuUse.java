package io.polyglot.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What the machine's cores and the run's processes spent over one window of a stage's load, read from {@code /proc}.
 * A latency stage that misses its target on a machine whose cores were all busy shows it in its own figures: the busy
 * share of the cores, the CPU of each process in cores, and the CPU a command cost the machine and the command
 * service.
 *
 * <p>A named process counts with the children it reaped and with its live descendants, but for those that are named
 * processes themselves or run under one: PostgreSQL's backends are PostgreSQL's. A named process that is the parent of
 * other named ones when the window starts (the bench, which starts the stack's servers) counts its own threads only,
 * so that a server it reaps during the window is not charged to it.
 *
 * @param seconds the window's wall time
 * @param busyShare the share of all cores' time spent running anything (not idle, not waiting for I/O, not stolen by
 *     a hypervisor), 0 to 1; NaN when {@code /proc/stat} cannot be read
 * @param busyCoreSeconds the busy time of all cores together, in seconds; NaN when unknown
 * @param processSeconds the CPU seconds of each named process over the window, in the order they were named
 */
record CpuUse(double seconds, double busyShare, double busyCoreSeconds, Map<String, Double> processSeconds) {
    /** Starts a window over the machine and the processes {@code pids} names, in that order. */
    static Window start(Map<String, Long> pids) {
        Map<String, Long> named = Collections.unmodifiableMap(new LinkedHashMap<>(pids));
        Set<Long> all = Set.copyOf(named.values());
        Set<String> alone = named.entrySet().stream()
                .filter(entry -> ProcessHandle.of(entry.getValue())
                        .map(process -> process.descendants().anyMatch(child -> all.contains(child.pid())))
                        .orElse(false))
                .map(Map.Entry::getKey)
                .collect(Collectors.toUnmodifiableSet());
        return new Window(named, alone, Snapshot.take(named, alone));
    }

    /**
     * Puts this window's figures into {@code figures}, each name after {@code prefix}: {@code machine busy} (% of all
     * cores), {@code machine CPU per command} and {@code command-service CPU per command} (us, for {@code commands}
     * commands), and {@code cores used by <process>} for each process.
     */
    void putInto(Map<String, Figure> figures, String prefix, long commands) {
        putMachineInto(figures, prefix);
        if (commands > 0) {
            if (!Double.isNaN(busyCoreSeconds)) {
                figures.put(prefix + "machine CPU per command", new Figure(busyCoreSeconds * 1e6 / commands, "us"));
            }
            Double service = processSeconds.get(StageContext.COMMAND_SERVICE);
            if (service != null) {
                figures.put(
                        prefix + StageContext.COMMAND_SERVICE + " CPU per command",
                        new Figure(service * 1e6 / commands, "us"));
            }
        }
        processSeconds.forEach(
                (name, cpu) -> figures.put(prefix + "cores used by " + name, new Figure(cpu / seconds, "cores")));
    }

    /** Puts {@code <prefix>machine busy}, the busy share of all cores in %, into {@code figures}, when known. */
    void putMachineInto(Map<String, Figure> figures, String prefix) {
        if (!Double.isNaN(busyShare)) {
            figures.put(prefix + "machine busy", new Figure(busyShare * 100, "%"));
        }
    }

    /** A window begun and not yet ended. */
    static final class Window {
        private final Map<String, Long> pids;
        private final Set<String> alone;
        private final Snapshot start;

        private Window(Map<String, Long> pids, Set<String> alone, Snapshot start) {
            this.pids = pids;
            this.alone = alone;
            this.start = start;
        }

        /**
         * Ends the window. A process that is gone by now, or was not readable at the start, is left out rather than
         * counted as idle.
         */
        CpuUse end() {
            Snapshot end = Snapshot.take(pids, alone);
            double seconds = (end.nanos - start.nanos) / 1e9;
            Map<String, Double> processes = new LinkedHashMap<>();
            start.processTicks.forEach((name, before) -> {
                Long after = end.processTicks.get(name);
                if (after != null) {
                    processes.put(name, Math.max(0, after - before) / Machine.TICKS_PER_SECOND);
                }
            });
            if (start.machine.isEmpty() || end.machine.isEmpty()) {
                return new CpuUse(seconds, Double.NaN, Double.NaN, processes);
            }
            long busy = end.machine.get()[0] - start.machine.get()[0];
            long total = end.machine.get()[1] - start.machine.get()[1];
            return new CpuUse(
                    seconds, total <= 0 ? 0 : (double) busy / total, busy / Machine.TICKS_PER_SECOND, processes);
        }
    }

    /** The machine's busy and total ticks, when readable, and each process's ticks at one moment. */
    private record Snapshot(long nanos, Optional<long[]> machine, Map<String, Long> processTicks) {
        static Snapshot take(Map<String, Long> pids, Set<String> alone) {
            Optional<long[]> machine = machineTicks();
            Set<Long> named = Set.copyOf(pids.values());
            Map<String, Long> processes = new LinkedHashMap<>();
            pids.forEach((name, pid) -> {
                Optional<Long> ticks =
                        alone.contains(name) ? Machine.statTicks(pid).map(own -> own[0]) : treeTicks(pid, named);
                ticks.ifPresent(value -> processes.put(name, value));
            });
            return new Snapshot(System.nanoTime(), machine, processes);
        }
    }

    /**
     * The busy and total ticks of all cores together, from the first line of {@code /proc/stat}; empty when it cannot
     * be read.
     */
    static Optional<long[]> machineTicks() {
        try (var lines = Files.lines(Path.of("/proc/stat"))) {
            return lines.findFirst().map(CpuUse::parseMachineTicks);
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /**
     * The busy and total ticks of one {@code cpu user nice system idle iowait irq softirq steal ...} line: busy is
     * user, nice, system, irq and softirq (guest time is within user already); idle, iowait and steal are not.
     */
    static long[] parseMachineTicks(String cpuLine) {
        String[] fields = cpuLine.trim().split("\\s+");
        if (!fields[0].equals("cpu") || fields.length < 9) {
            throw new IllegalArgumentException("not the all-cores line of /proc/stat: " + cpuLine);
        }
        long busy = 0;
        for (int i : new int[] {1, 2, 3, 6, 7}) {
            busy += Long.parseLong(fields[i]);
        }
        long notBusy = Long.parseLong(fields[4]) + Long.parseLong(fields[5]) + Long.parseLong(fields[8]);
        return new long[] {busy, busy + notBusy};
    }

    /**
     * The ticks of process {@code pid} and of every live descendant that is not in {@code others} nor under one of
     * them, each with the children it reaped (which are no longer live, so nothing counts twice); empty when the
     * process is gone.
     */
    static Optional<Long> treeTicks(long pid, Set<Long> others) {
        Optional<long[]> root = Machine.statTicks(pid);
        Optional<ProcessHandle> handle = ProcessHandle.of(pid);
        if (root.isEmpty() || handle.isEmpty()) {
            return Optional.empty();
        }
        long ticks = root.get()[0] + root.get()[1];
        ticks += handle.get()
                .descendants()
                .filter(child -> ownedBy(child, pid, others))
                .mapToLong(child ->
                        Machine.statTicks(child.pid()).map(t -> t[0] + t[1]).orElse(0L))
                .sum();
        return Optional.of(ticks);
    }

    /** Whether no process between {@code descendant} (included) and {@code root} is one of {@code others}. */
    private static boolean ownedBy(ProcessHandle descendant, long root, Set<Long> others) {
        for (Optional<ProcessHandle> at = Optional.of(descendant);
                at.isPresent() && at.get().pid() != root;
                at = at.get().parent()) {
            if (others.contains(at.get().pid())) {
                return false;
            }
        }
        return true;
    }
}
