package io.polyglot.bench;

import io.polyglot.schemas.Topics;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code decide}: commands decided per second through {@code POST /v1/commands:batch} (decided answers), against a
 * raw producer sending the decider's own output records (taken from {@code events.all}) to a fresh topic; and the
 * decided-answer latency of single {@code POST /v1/commands} at 1,000/s open loop, against the raw producer's
 * send-to-ack latency at the same rate.
 */
final class DecideStage implements BenchStage {
    static final int RATE = 1_000;

    @Override
    public String id() {
        return "decide";
    }

    @Override
    public String target() {
        return "decided-answer latency at 1,000 commands/s: p50 <= 15 ms, p99 <= 50 ms";
    }

    @Override
    public Map<String, Figure> ours(StageContext context, int round) throws Exception {
        BatchLoad.Result result =
                context.batches("decide-r" + round + "-batch", false).result();
        if (result.counts().decided() == 0) {
            throw new StageFailedException("no batch line was decided: " + result.counts());
        }
        context.settle();

        StageContext.Loaded<OpenLoop.Latencies> single = context.openLoop(RATE, "decide-r" + round + "-single", false);
        OpenLoop.Latencies latencies = single.result();
        context.settle();

        Map<String, Figure> figures = new LinkedHashMap<>();
        figures.put("decided", new Figure(result.perSecond(result.counts().decided()), "commands/s"));
        figures.put("rejected by rules", new Figure(result.counts().rejected(), "commands"));
        figures.put(
                "batch lines not decided",
                new Figure(result.counts().pending() + result.counts().failed(), "lines"));
        latencies.putInto(figures, "decided answer");
        figures.put("single not decided", new Figure(latencies.late() + latencies.failed(), "requests"));
        figures.put("single rate achieved", new Figure(latencies.achievedRate(), "requests/s"));
        single.cpu().putInto(figures, "single ", latencies.requests() - latencies.failed());
        return figures;
    }

    @Override
    public Map<String, Figure> raw(StageContext context, int round) throws Exception {
        Map<String, Figure> figures = new LinkedHashMap<>();
        try (RawProducer producer = context.rawProducer(id(), round, Topics.EVENTS_ALL)) {
            producer.putThroughput(context.pace(), figures);
            producer.putLatency(RATE, context.pace(), figures);
        }
        return figures;
    }

    @Override
    public List<Ratio> ratios() {
        return List.of(
                new Ratio("decided / raw produced", "decided", "raw produced"),
                new Ratio("decided answer p50 / raw send-to-ack p50", "decided answer p50", "raw send-to-ack p50"),
                new Ratio("decided answer p99 / raw send-to-ack p99", "decided answer p99", "raw send-to-ack p99"));
    }

    @Override
    public boolean met(Map<String, Summary> figures, Map<String, Summary> ratios) {
        return figures.get("decided answer p50").median() <= 15
                && figures.get("decided answer p99").median() <= 50;
    }
}
