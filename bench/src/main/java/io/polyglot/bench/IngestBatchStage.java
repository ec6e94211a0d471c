package io.polyglot.bench;

import io.polyglot.schemas.Topics;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code ingest-batch}: events per second through {@code POST /v1/commands:batch} with {@code Prefer:
 * respond-async}, counted once acknowledged (every line durably in Kafka; a service that waits for the decisions
 * anyway answers later, and {@code lines answered decided} shows it), against a raw producer loop sending the
 * records the service wrote to {@code commands}, byte for byte, as fast as it can.
 */
final class IngestBatchStage implements BenchStage {

    @Override
    public String id() {
        return "ingest-batch";
    }

    @Override
    public String target() {
        return "events/s acknowledged >= 0.5 of the raw producer's";
    }

    @Override
    public Map<String, Figure> ours(StageContext context, int round) throws Exception {
        StageContext.Loaded<BatchLoad.Result> load = context.batches("ingest-batch-r" + round, true);
        BatchLoad.Result result = load.result();
        // Every line answered pending or decided was acknowledged by Kafka before the answer was sent.
        long acknowledged = result.counts().pending() + result.counts().decided();
        if (acknowledged == 0) {
            throw new StageFailedException("no batch line was acknowledged: " + result.counts());
        }
        double settled = context.settle();

        Map<String, Figure> figures = new LinkedHashMap<>();
        figures.put("acknowledged", new Figure(result.perSecond(acknowledged), "events/s"));
        // A batch that waited for decisions despite respond-async shows here, so the figure is read for what it is.
        figures.put("lines answered decided", new Figure(result.counts().decided(), "lines"));
        figures.put("failed lines", new Figure(result.counts().failed(), "lines"));
        figures.put("decider catch-up after load", new Figure(settled, "s"));
        // The window starts right after the warm-up and ends with the last answer: the pipeline's catch-up of the
        // warm-up runs in it, that of the measured load after it, so per command it is the steady state's figure.
        load.cpu().putInto(figures, "", acknowledged);
        return figures;
    }

    @Override
    public Map<String, Figure> raw(StageContext context, int round) throws Exception {
        Map<String, Figure> figures = new LinkedHashMap<>();
        try (RawProducer producer = context.rawProducer(id(), round, Topics.COMMANDS)) {
            producer.putThroughput(context.pace(), figures);
        }
        return figures;
    }

    @Override
    public List<Ratio> ratios() {
        return List.of(new Ratio("acknowledged / raw produced", "acknowledged", "raw produced"));
    }

    @Override
    public boolean met(Map<String, Summary> figures, Map<String, Summary> ratios) {
        return ratios.get("acknowledged / raw produced").median() >= 0.5;
    }
}
