package io.polyglot.bench;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;

/**
 * {@code freshness}: how soon an accepted command is visible in its view, at 1,000 commands/s open loop with {@code
 * Prefer: respond-async}. One command in {@link #PROBE_EVERY} is a probe: it opens an aggregate of its own ({@code
 * probe~<round>~<i>}), and the time from its 202 (the command durably on {@code commands}) to the first look of a
 * {@link ViewProbe} that sees its row in {@code loan_applications} is recorded. The other commands are the log's, the
 * load the probes travel through. No raw engine is paired with it.
 */
final class FreshnessStage implements BenchStage {
    static final int RATE = 1_000;

    /** One probe per 50 commands: 20 a second, few enough that the probe's queries do not load PostgreSQL. */
    static final int PROBE_EVERY = 50;

    private static final Duration MAX_IN_FLIGHT_WAIT = Duration.ofSeconds(30);
    private static final int MAX_IN_FLIGHT = 1_024;
    private static final String VISIBLE = "accepted to visible";

    @Override
    public String id() {
        return "freshness";
    }

    @Override
    public String target() {
        return "accepted command (202, respond-async) to visible in its view at 1,000 commands/s: p50 <= 50 ms,"
                + " p99 <= 500 ms";
    }

    @Override
    public Map<String, Figure> ours(StageContext context, int round) throws Exception {
        context.quiet();
        String tag = "freshness-r" + round;
        CommandLines lines = context.lines(tag);
        OpenLoop loop = new OpenLoop(RATE, MAX_IN_FLIGHT);
        AtomicLong sequence = new AtomicLong();
        Map<String, Figure> figures = new LinkedHashMap<>();
        try (ViewProbe probe = new ViewProbe(context.database())) {
            OpenLoop.Request request = due -> {
                long i = sequence.getAndIncrement();
                if (i % PROBE_EVERY != 0) {
                    return context.commands().send(lines.next(), true);
                }
                String aggregateId = "probe~" + tag + "~" + i;
                return context.commands().send(lines.opening(aggregateId), true).thenApply(outcome -> {
                    if (outcome == OpenLoop.Outcome.ANSWERED) {
                        probe.accepted(aggregateId, System.nanoTime());
                    }
                    return outcome;
                });
            };
            loop.run(context.pace().warmup(), request);
            probe.awaitAll(MAX_IN_FLIGHT_WAIT);
            probe.latencies();
            long first = sequence.get();
            CpuUse.Window window = context.cpuWindow();
            OpenLoop.Latencies accepted = loop.run(context.pace().measure(), request);
            CpuUse cpu = window.end();
            long probes = (sequence.get() - first + PROBE_EVERY - 1) / PROBE_EVERY;
            int missing = probe.awaitAll(MAX_IN_FLIGHT_WAIT);
            Histogram visible = probe.latencies();
            if (visible.getTotalCount() == 0) {
                throw new StageFailedException("no probe's row showed up in loan_applications");
            }
            figures.put(VISIBLE + " p50", new Figure(visible.getValueAtPercentile(50) / 1_000.0, "ms"));
            figures.put(VISIBLE + " p99", new Figure(visible.getValueAtPercentile(99) / 1_000.0, "ms"));
            figures.put(VISIBLE + " max", new Figure(visible.getMaxValue() / 1_000.0, "ms"));
            figures.put("probes seen", new Figure(visible.getTotalCount(), "commands"));
            figures.put("probes not seen within 30 s", new Figure(missing, "commands"));
            figures.put("probes sent", new Figure(probes, "commands"));
            accepted.putInto(figures, "accept");
            figures.put("failed", new Figure(accepted.failed(), "requests"));
            figures.put("rate achieved", new Figure(accepted.achievedRate(), "requests/s"));
            cpu.putInto(figures, "", accepted.requests() - accepted.failed());
        }
        context.settle();
        return figures;
    }

    @Override
    public Map<String, Figure> raw(StageContext context, int round) {
        return Map.of();
    }

    @Override
    public List<Ratio> ratios() {
        return List.of();
    }

    @Override
    public boolean met(Map<String, Summary> figures, Map<String, Summary> ratios) {
        return figures.get(VISIBLE + " p50").median() <= 50
                && figures.get(VISIBLE + " p99").median() <= 500
                && figures.get("probes not seen within 30 s").median() == 0;
    }
}
