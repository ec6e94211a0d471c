package io.polyglot.bench;

import io.polyglot.schemas.Topics;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code ingest-single}: the accept latency of single commands with {@code Prefer: respond-async} (answered once
 * the command is durably in Kafka) at 2,000/s open loop, against a raw producer's send-to-ack latency at the same
 * rate for the records the service wrote to {@code commands}.
 */
final class IngestSingleStage implements BenchStage {
    static final int RATE = 2_000;

    @Override
    public String id() {
        return "ingest-single";
    }

    @Override
    public String target() {
        return "accept latency at 2,000 commands/s (respond-async): p50 <= 1 ms, p99 <= 10 ms";
    }

    @Override
    public Map<String, Figure> ours(StageContext context, int round) throws Exception {
        StageContext.Loaded<OpenLoop.Latencies> load = context.openLoop(RATE, "ingest-single-r" + round, true);
        OpenLoop.Latencies latencies = load.result();
        if (latencies.failed() == latencies.requests()) {
            throw new StageFailedException("no single command was accepted");
        }
        context.settle();

        Map<String, Figure> figures = new LinkedHashMap<>();
        latencies.putInto(figures, "accept");
        figures.put("failed", new Figure(latencies.failed(), "requests"));
        figures.put("rate achieved", new Figure(latencies.achievedRate(), "requests/s"));
        load.cpu().putInto(figures, "", latencies.requests() - latencies.failed());
        return figures;
    }

    @Override
    public Map<String, Figure> raw(StageContext context, int round) throws Exception {
        Map<String, Figure> figures = new LinkedHashMap<>();
        try (RawProducer producer = context.rawProducer(id(), round, Topics.COMMANDS)) {
            producer.putLatency(RATE, context.pace(), figures);
        }
        return figures;
    }

    @Override
    public List<Ratio> ratios() {
        return List.of(
                new Ratio("accept p50 / raw send-to-ack p50", "accept p50", "raw send-to-ack p50"),
                new Ratio("accept p99 / raw send-to-ack p99", "accept p99", "raw send-to-ack p99"));
    }

    @Override
    public boolean met(Map<String, Summary> figures, Map<String, Summary> ratios) {
        return figures.get("accept p50").median() <= 1
                && figures.get("accept p99").median() <= 10;
    }
}
