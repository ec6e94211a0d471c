package io.polyglot.chaos;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * One fault of the schedule: what is done to which processes, how long to wait before it, and for an outage how long
 * the server stays down.
 *
 * <p>A kill ends one or more services at once: a killed consumer's partitions wait for its session timeout before the
 * group gives them to the restarted instance (15 s in the local stack), so kills that overlap fit more of them in the
 * bound.
 *
 * @param kind what is done
 * @param targets the components, as {@code ./polyglot status} names them ({@code archiver-worker}, {@code kafka} ...)
 * @param before the pause after the previous fault's recovery
 * @param outage how long an outage lasts; zero for the others
 */
record Fault(Kind kind, List<String> targets, Duration before, Duration outage) {

    /** The kinds of fault. */
    enum Kind {
        /** {@code kill -9} of service processes, then {@code up} starts them again. */
        KILL_SERVICES,
        /** The broker stopped (SIGTERM, a controlled shutdown) and started on the same port and data folder. */
        RESTART_BROKER,
        /** {@code kill -9} of the S3-compatible server, down for a while, then started on the same data. */
        STORAGE_OUTAGE,
        /** {@code kill -9} of PostgreSQL and its backends, down for a while, then started on the same cluster. */
        DATABASE_OUTAGE
    }

    static final List<String> SERVICES = List.of("command-service", "archiver-worker", "projection-worker");

    Fault {
        targets = List.copyOf(targets);
    }

    /**
     * The schedule of {@code seed}: a kill of every service at once (in a seeded order), {@code extraKills} kills of
     * seeded random sets of services, one broker restart, one outage each of storage and database, all in a seeded
     * order. The same seed gives the same schedule.
     */
    static List<Fault> schedule(long seed, int extraKills, Duration longestPause, Duration longestOutage) {
        Random random = new Random(seed);
        List<Kind> kinds = new ArrayList<>();
        List<List<String>> targets = new ArrayList<>();
        List<String> all = new ArrayList<>(SERVICES);
        Collections.shuffle(all, random);
        kinds.add(Kind.KILL_SERVICES);
        targets.add(all);
        for (int i = 0; i < extraKills; i++) {
            List<String> some = new ArrayList<>();
            while (some.isEmpty()) {
                SERVICES.stream().filter(service -> random.nextBoolean()).forEach(some::add);
            }
            Collections.shuffle(some, random);
            kinds.add(Kind.KILL_SERVICES);
            targets.add(some);
        }
        kinds.add(Kind.RESTART_BROKER);
        targets.add(List.of("kafka"));
        kinds.add(Kind.STORAGE_OUTAGE);
        targets.add(List.of("s3"));
        kinds.add(Kind.DATABASE_OUTAGE);
        targets.add(List.of("postgres"));
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < kinds.size(); i++) {
            order.add(i);
        }
        Collections.shuffle(order, random);
        List<Fault> faults = new ArrayList<>();
        for (int i : order) {
            Duration before = Duration.ofMillis(500 + random.nextLong(Math.max(1, longestPause.toMillis() - 500)));
            boolean outage = kinds.get(i) == Kind.STORAGE_OUTAGE || kinds.get(i) == Kind.DATABASE_OUTAGE;
            Duration down = outage
                    ? Duration.ofMillis(2_000 + random.nextLong(Math.max(1, longestOutage.toMillis() - 2_000)))
                    : Duration.ZERO;
            faults.add(new Fault(kinds.get(i), targets.get(i), before, down));
        }
        return List.copyOf(faults);
    }

    /** How the schedule prints it, e.g. {@code kill -9 archiver-worker} or {@code outage of s3 for 4.2 s}. */
    String describe() {
        return switch (kind) {
            case KILL_SERVICES -> "kill -9 " + String.join(" + ", targets);
            case RESTART_BROKER -> "restart of the Kafka broker";
            case STORAGE_OUTAGE, DATABASE_OUTAGE ->
                String.format(
                        Locale.ROOT, "outage of %s (kill -9) for %.1f s", targets.get(0), outage.toMillis() / 1e3);
        };
    }
}
