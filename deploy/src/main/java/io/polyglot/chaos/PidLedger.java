package io.polyglot.chaos;

import io.polyglot.deploy.ComponentStatus;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every process id the chaos run has seen of its stack and its importer, with what it was, so the end of the run can
 * tell by pid that none of them still runs.
 */
final class PidLedger {
    private final Map<Long, String> seen = new ConcurrentHashMap<>();

    void record(long pid, String what) {
        seen.putIfAbsent(pid, what);
    }

    /** Records the pid of every running component of {@code status}. */
    void recordAll(List<ComponentStatus> status) {
        status.stream().filter(c -> c.pid() != null).forEach(c -> record(c.pid(), c.name()));
    }

    int size() {
        return seen.size();
    }

    /** The processes seen that still run, pid to name. */
    Map<Long, String> alive() {
        Map<Long, String> alive = new TreeMap<>();
        seen.forEach((pid, what) -> {
            if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                alive.put(pid, what);
            }
        });
        return alive;
    }
}
