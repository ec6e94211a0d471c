package io.polyglot.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The outcome of one bench run, written as {@code report.json} (one object per stage id under {@code stages}, with
 * {@code figures} and {@code ratios} as name to {@code {median, min, max, unit}}, {@code target} and {@code met})
 * and as {@code report.md} (the same in tables).
 *
 * @param mode {@code full} or {@code smoke}
 * @param pace how long each measurement ran
 * @param startedAt when the run began
 * @param seconds how long the whole run took, stack included
 * @param machine where it ran
 * @param stages each stage asked for, in run order
 * @param processes each process of the stack (and the bench) with its peak RSS
 * @param times where the run's time went
 */
record BenchReport(
        String mode,
        Pace pace,
        Instant startedAt,
        double seconds,
        Machine machine,
        List<StageReport> stages,
        List<ProcessPeak> processes,
        Times times) {

    /**
     * Where a run's time went.
     *
     * @param startSeconds the stack's start, reading the log, the decider's first answer and the stack's warm-up,
     *     before the first stage
     * @param stopSeconds the stack's stop after the last stage
     * @param stages each stage's time, in run order
     */
    record Times(double startSeconds, double stopSeconds, List<StageTime> stages) {
        static Times none() {
            return new Times(0, 0, List.of());
        }
    }

    boolean withinBudget() {
        return seconds <= pace.budget().toSeconds();
    }

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    boolean everyStageRan() {
        return stages.stream().allMatch(StageReport::ran);
    }

    void write(Path dir) {
        try {
            Files.createDirectories(dir);
            JSON.writeValue(dir.resolve("report.json").toFile(), json());
            Files.writeString(dir.resolve("report.md"), markdown());
        } catch (IOException e) {
            throw new UncheckedIOException("could not write the report to " + dir, e);
        }
    }

    ObjectNode json() {
        ObjectNode root = JSON.createObjectNode();
        root.put("mode", mode).put("startedAt", startedAt.toString()).put("seconds", seconds);
        root.put("rounds", pace.rounds())
                .put("warmupSeconds", pace.warmup().toMillis() / 1000.0)
                .put("measureSeconds", pace.measure().toMillis() / 1000.0);
        root.put("budgetSeconds", pace.budget().toSeconds())
                .put("budgetEnforced", pace.budgetStops())
                .put("withinBudget", withinBudget());
        ObjectNode phases = root.putObject("time");
        phases.put("stackStartSeconds", times.startSeconds());
        ObjectNode stageSeconds = phases.putObject("stages");
        times.stages().forEach(time -> stageSeconds.put(time.id(), time.seconds()));
        phases.put("stackStopSeconds", times.stopSeconds());
        root.set("machine", JSON.valueToTree(machine));
        root.set("processes", JSON.valueToTree(processes));
        ObjectNode byId = root.putObject("stages");
        for (StageReport stage : stages) {
            ObjectNode node = byId.putObject(stage.id());
            node.put("ran", stage.ran()).put("target", stage.target()).put("met", stage.met());
            node.set("figures", JSON.valueToTree(stage.figures()));
            node.set("ratios", JSON.valueToTree(stage.ratios()));
            node.set("rounds", JSON.valueToTree(stage.rounds()));
            time(stage.id()).ifPresent(time -> {
                node.put("seconds", time.seconds()).put("roundsPlanned", time.roundsPlanned());
                if (time.budget() != null) {
                    node.put("budget", time.budget());
                }
            });
            if (!stage.ran()) {
                node.put("error", stage.error());
            }
        }
        return root;
    }

    String markdown() {
        StringBuilder md = new StringBuilder("# Benchmark report\n\n");
        md.append(String.format(
                Locale.ROOT,
                "Run `%s` started %s, took %.0f s: %d %s per stage (ours then raw, in turns), %.1f s warm-up and"
                        + " %.1f s measured per measurement.%n%n",
                mode,
                startedAt,
                seconds,
                pace.rounds(),
                pace.rounds() == 1 ? "round" : "rounds",
                pace.warmup().toMillis() / 1000.0,
                pace.measure().toMillis() / 1000.0));
        if (!pace.budgetStops()) {
            md.append(String.format(
                    Locale.ROOT,
                    "A smoke run: every stage on a small load (`e2e` imports the first %,d cases of the log, the worker"
                            + " stages measure %,d events a partition, `archive`'s large segments hold %,d), so its"
                            + " figures only show that each stage runs, and whether a target is met says nothing of"
                            + " a full run.%n%n",
                    pace.e2eCases(),
                    pace.prefillPerPartition(),
                    ArchiveStage.largeSegmentEvents(pace)));
        }
        md.append(String.format(
                Locale.ROOT,
                "Budget: %d s (%s); the run took %.0f s, %s.%n%n",
                pace.budget().toSeconds(),
                pace.budgetStops() ? "its rounds planned to fit, measuring stopped when it runs out" : "reported only",
                seconds,
                withinBudget() ? "within it" : "over it"));
        md.append("| part of the run | seconds | rounds | budget |\n| --- | ---: | ---: | --- |\n");
        md.append(String.format(Locale.ROOT, "| stack start and warm-up | %.1f | | |%n", times.startSeconds()));
        for (StageTime time : times.stages()) {
            md.append(String.format(
                    Locale.ROOT,
                    "| %s | %.1f | %d of %d | %s |%n",
                    time.id(),
                    time.seconds(),
                    time.roundsRun(),
                    time.roundsPlanned(),
                    time.budget() == null ? "" : time.budget().replace('|', '/')));
        }
        md.append(String.format(Locale.ROOT, "| stack stop | %.1f | | |%n%n", times.stopSeconds()));
        md.append(String.format(
                Locale.ROOT,
                "Machine: %d cores, %,d MiB, %s, %s.%n%n",
                machine.cores(),
                machine.memoryMiB(),
                machine.jdk(),
                machine.os()));
        md.append("| stage | target | met |\n| --- | --- | --- |\n");
        for (StageReport stage : stages) {
            String met = stage.ran() ? (stage.met() ? "yes" : "no") : "did not run: " + stage.error();
            md.append("| ")
                    .append(stage.id())
                    .append(" | ")
                    .append(stage.target())
                    .append(" | ");
            md.append(met.replace('|', '/')).append(" |\n");
        }
        md.append("\n| stage | figure | median | min | max | unit |\n| --- | --- | ---: | ---: | ---: | --- |\n");
        for (StageReport stage : stages) {
            rows(md, stage.id(), stage.figures());
            rows(md, stage.id(), stage.ratios());
        }
        md.append("\n| process | pid | peak RSS (MiB) |\n| --- | ---: | ---: |\n");
        for (ProcessPeak process : processes) {
            md.append(String.format(
                    Locale.ROOT,
                    "| %s | %d | %s |%n",
                    process.name(),
                    process.pid(),
                    process.peakRssKiB() < 0
                            ? "unknown"
                            : String.format(Locale.ROOT, "%.0f", process.peakRssKiB() / 1024.0)));
        }
        return md.toString();
    }

    private Optional<StageTime> time(String id) {
        return times.stages().stream().filter(time -> time.id().equals(id)).findFirst();
    }

    private static void rows(StringBuilder md, String stage, Map<String, Summary> summaries) {
        summaries.forEach((name, s) -> md.append(String.format(
                Locale.ROOT,
                "| %s | %s | %s | %s | %s | %s |%n",
                stage,
                name,
                number(s.median()),
                number(s.min()),
                number(s.max()),
                s.unit())));
    }

    private static String number(double value) {
        if (Double.isNaN(value)) {
            return "n/a";
        }
        double magnitude = Math.abs(value);
        String pattern = magnitude >= 100 ? "%,.0f" : magnitude >= 10 ? "%.1f" : magnitude >= 1 ? "%.2f" : "%.3f";
        return String.format(Locale.ROOT, pattern, value);
    }
}
