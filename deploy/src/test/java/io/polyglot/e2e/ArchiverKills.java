package io.polyglot.e2e;

import static org.awaitility.Awaitility.await;

import io.polyglot.deploy.ComponentStatus;
import io.polyglot.deploy.PolyglotStack;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Kills the archiver-worker with SIGKILL at seeded random moments while an import runs, and starts it again each time
 * through {@link PolyglotStack#up()}, as an operator running {@code ./polyglot up} would. The moments are points of the
 * import's progress (the end offsets of {@code events.all}), one drawn at random inside each of equal slices of the
 * import, so the kills are spread over it whatever its pace on the machine.
 */
final class ArchiverKills {

    static final String ARCHIVER = "archiver-worker";

    /** One kill: when it came, which process it ended, and what {@code up()} started instead. */
    record Kill(
            int number,
            double secondsIntoImport,
            long topicOffsets,
            boolean importRunning,
            long killedPid,
            Long restartedPid,
            double restartSeconds,
            Map<String, Long> othersBefore,
            Map<String, Long> othersAfter) {

        String describe() {
            return String.format(
                    "at %.1f s (%d offsets on the topic): pid %d killed, pid %s started in %.1f s",
                    secondsIntoImport, topicOffsets, killedPid, restartedPid, restartSeconds);
        }
    }

    private final PolyglotStack stack;
    private final long seed;
    private final List<Long> moments = new ArrayList<>();
    private final List<Kill> kills = new ArrayList<>();

    /**
     * {@code count} kills whose moments lie between 5 % and 85 % of {@code expectedOffsets}: the last slice is left
     * free so the restarts of a slow machine still fall inside the import.
     */
    ArchiverKills(PolyglotStack stack, long seed, int count, long expectedOffsets) {
        this.stack = stack;
        this.seed = seed;
        Random random = new Random(seed);
        double first = 0.05 * expectedOffsets;
        double slice = 0.80 * expectedOffsets / count;
        for (int i = 0; i < count; i++) {
            moments.add(Math.round(first + slice * (i + random.nextDouble())));
        }
    }

    long seed() {
        return seed;
    }

    List<Long> moments() {
        return List.copyOf(moments);
    }

    List<Kill> kills() {
        return List.copyOf(kills);
    }

    /**
     * Watches the topic while {@code importer} runs and kills the archiver as each moment passes. A moment still to
     * come when the import ends is not played: the test then sees fewer kills than planned and fails.
     */
    void during(Process importer, LongSupplier topicOffsets, long importStartedNanos) throws InterruptedException {
        int next = 0;
        while (next < moments.size() && importer.isAlive()) {
            long offsets = topicOffsets.getAsLong();
            if (offsets >= moments.get(next)) {
                next++;
                kills.add(killAndRestart(next, offsets, importer, importStartedNanos));
            } else {
                // The importer's own exit ends the pause early, so the loop stops as soon as the import does.
                importer.waitFor(200, TimeUnit.MILLISECONDS);
            }
        }
    }

    private Kill killAndRestart(int number, long offsets, Process importer, long importStartedNanos) {
        Map<String, Long> before = pids();
        Long pid = before.remove(ARCHIVER);
        if (pid == null) {
            throw new IllegalStateException("the archiver-worker does not run before kill " + number);
        }
        double moment = (System.nanoTime() - importStartedNanos) / 1e9;
        boolean importRunning = importer.isAlive();
        // ProcessHandle.destroyForcibly is SIGKILL on Linux: the worker gets no chance to seal or commit anything.
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        await().atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> isGone(pid));

        long restartStarted = System.nanoTime();
        stack.up();
        double restart = (System.nanoTime() - restartStarted) / 1e9;
        Map<String, Long> after = pids();
        Long restarted = after.remove(ARCHIVER);
        Kill kill = new Kill(number, moment, offsets, importRunning, pid, restarted, restart, before, after);
        System.out.println("archiver kill " + number + " " + kill.describe());
        return kill;
    }

    static boolean isGone(long pid) {
        return ProcessHandle.of(pid).map(handle -> !handle.isAlive()).orElse(true);
    }

    private Map<String, Long> pids() {
        Map<String, Long> pids = new LinkedHashMap<>();
        for (ComponentStatus component : stack.status()) {
            if (component.pid() != null) {
                pids.put(component.name(), component.pid());
            }
        }
        return pids;
    }
}
