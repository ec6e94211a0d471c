package io.polyglot.projection.reallogs;

import io.polyglot.projection.reallogs.ViewRows.ActivityDuration;
import io.polyglot.projection.reallogs.ViewRows.Offer;
import io.polyglot.projection.reallogs.ViewRows.Stage;
import io.polyglot.projection.reallogs.ViewRows.WeatherDay;
import io.polyglot.projection.reallogs.ViewRows.WorkItem;
import java.math.BigDecimal;
import java.math.MathContext;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The views of the real logs computed the plain way, case by case in log order, straight from the rules: what
 * the projection worker's tables and views must show after applying the whole log, however it was cut and ordered.
 */
public final class ReferenceFold {

    /** The stages of a loan application in the process order the funnel lists them in. */
    public static final List<String> PROCESS_ORDER = List.of(
            "A_SUBMITTED",
            "A_PARTLYSUBMITTED",
            "A_PREACCEPTED",
            "A_ACCEPTED",
            "A_FINALIZED",
            "A_APPROVED",
            "A_REGISTERED",
            "A_ACTIVATED",
            "A_DECLINED",
            "A_CANCELLED");

    private ReferenceFold() {}

    public static List<Offer> loanOffers(List<LogEvent> log) {
        List<Offer> offers = new ArrayList<>();
        for (Map.Entry<String, List<LogEvent>> application : cases(log).entrySet()) {
            List<Offer> ofCase = new ArrayList<>();
            for (LogEvent event : application.getValue()) {
                String activity = event.activity();
                if (activity.equals("O_CREATED")) {
                    ofCase.add(new Offer(application.getKey(), ofCase.size() + 1, activity, event.occurredAt(), null));
                } else if (activity.startsWith("O_") && !activity.equals("O_SELECTED") && !ofCase.isEmpty()) {
                    Offer latest = ofCase.remove(ofCase.size() - 1);
                    boolean decision = activity.equals("O_ACCEPTED")
                            || activity.equals("O_DECLINED")
                            || activity.equals("O_CANCELLED");
                    Instant decidedAt =
                            latest.decidedAt() == null && decision ? event.occurredAt() : latest.decidedAt();
                    ofCase.add(new Offer(
                            latest.applicationId(), latest.offerNo(), activity, latest.createdAt(), decidedAt));
                }
            }
            offers.addAll(ofCase);
        }
        offers.sort(Comparator.comparing(Offer::applicationId).thenComparing(Offer::offerNo));
        return offers;
    }

    public static List<WorkItem> loanWorkItems(List<LogEvent> log) {
        List<WorkItem> rows = new ArrayList<>();
        for (Map.Entry<String, List<LogEvent>> application : cases(log).entrySet()) {
            Map<String, Instant> lastSchedule = new HashMap<>();
            Map<String, Integer> open = new HashMap<>();
            List<Instant[]> times = new ArrayList<>();
            List<String> items = new ArrayList<>();
            for (LogEvent event : application.getValue()) {
                String item = event.activity();
                if (!item.startsWith("W_") || event.lifecycle() == null) {
                    continue;
                }
                switch (event.lifecycle()) {
                    case "SCHEDULE" -> lastSchedule.put(item, event.occurredAt());
                    case "START" -> {
                        open.put(item, times.size());
                        times.add(new Instant[] {lastSchedule.get(item), event.occurredAt(), null});
                        items.add(item);
                    }
                    case "COMPLETE" -> {
                        Integer started = open.remove(item);
                        if (started != null) {
                            times.get(started)[2] = event.occurredAt();
                        }
                    }
                    default -> {}
                }
            }
            for (int i = 0; i < times.size(); i++) {
                Instant[] t = times.get(i);
                BigDecimal seconds = t[2] == null ? null : seconds(Duration.between(t[1], t[2]));
                rows.add(new WorkItem(application.getKey(), items.get(i), t[0], t[1], t[2], seconds));
            }
        }
        rows.sort(WorkItem.ORDER);
        return rows;
    }

    public static List<Stage> loanFunnel(List<LogEvent> log) {
        Map<String, List<Double>> hours = new HashMap<>();
        Map<String, Long> applications = new HashMap<>();
        for (List<LogEvent> events : cases(log).values()) {
            Map<String, Instant> first = new LinkedHashMap<>();
            for (LogEvent event : events) {
                if (event.activity().startsWith("A_")) {
                    first.putIfAbsent(event.activity(), event.occurredAt());
                }
            }
            Instant submitted = first.get("A_SUBMITTED");
            first.forEach((stage, at) -> {
                applications.merge(stage, 1L, Long::sum);
                List<Double> ofStage = hours.computeIfAbsent(stage, s -> new ArrayList<>());
                if (submitted != null) {
                    ofStage.add(Duration.between(submitted, at).toNanos() / 3.6e12);
                }
            });
        }
        List<String> stages = new ArrayList<>(applications.keySet());
        stages.sort(Comparator.comparing(ReferenceFold::processRank).thenComparing(Comparator.naturalOrder()));
        return stages.stream()
                .map(stage -> new Stage(stage, applications.get(stage), median(hours.get(stage))))
                .toList();
    }

    public static List<ActivityDuration> helpdeskActivityDurations(List<LogEvent> log) {
        Map<String, Long> events = new TreeMap<>();
        Map<String, List<Double>> toNext = new HashMap<>();
        for (List<LogEvent> ticket : cases(log).values()) {
            for (int i = 0; i < ticket.size(); i++) {
                String activity = ticket.get(i).activity();
                events.merge(activity, 1L, Long::sum);
                List<Double> seconds = toNext.computeIfAbsent(activity, a -> new ArrayList<>());
                if (i + 1 < ticket.size()) {
                    Duration gap = Duration.between(
                            ticket.get(i).occurredAt(), ticket.get(i + 1).occurredAt());
                    seconds.add(gap.toNanos() / 1e9);
                }
            }
        }
        return events.entrySet().stream()
                .map(entry ->
                        new ActivityDuration(entry.getKey(), entry.getValue(), median(toNext.get(entry.getKey()))))
                .toList();
    }

    public static List<WeatherDay> weatherDaily(List<LogEvent> log) {
        record Key(String station, LocalDate day) {}
        Map<Key, List<LogEvent>> days =
                new TreeMap<>(Comparator.comparing(Key::station).thenComparing(Key::day));
        for (LogEvent event : log) {
            Map<String, String> a = event.attributes();
            LocalDate day = LocalDate.of(
                    Integer.parseInt(a.get("year")), Integer.parseInt(a.get("month")), Integer.parseInt(a.get("day")));
            days.computeIfAbsent(new Key(event.caseId(), day), k -> new ArrayList<>())
                    .add(event);
        }
        List<WeatherDay> rows = new ArrayList<>();
        days.forEach((key, readings) -> {
            List<BigDecimal> temps = values(readings, "temp");
            List<BigDecimal> precips = values(readings, "precip");
            BigDecimal tempSum = temps.stream().reduce(BigDecimal::add).orElse(null);
            rows.add(new WeatherDay(
                    key.station(),
                    key.day(),
                    readings.size(),
                    temps.stream().min(Comparator.naturalOrder()).orElse(null),
                    temps.stream().max(Comparator.naturalOrder()).orElse(null),
                    tempSum == null ? null : tempSum.divide(BigDecimal.valueOf(temps.size()), MathContext.DECIMAL64),
                    precips.stream()
                            .reduce(BigDecimal::add)
                            .map(BigDecimal::stripTrailingZeros)
                            .orElse(null)));
        });
        return rows;
    }

    /** What {@code percentile_cont(0.5)} answers: the middle value, or the mean of the two middle ones. */
    public static Double median(List<Double> values) {
        if (values == null || values.isEmpty()) {
            return null;
        }
        List<Double> sorted = values.stream().sorted().toList();
        int middle = sorted.size() / 2;
        return sorted.size() % 2 == 1 ? sorted.get(middle) : (sorted.get(middle - 1) + sorted.get(middle)) / 2;
    }

    private static List<BigDecimal> values(List<LogEvent> readings, String attribute) {
        return readings.stream()
                .map(reading -> reading.attributes().get(attribute))
                .filter(value -> value != null && !value.equals("NA"))
                .map(value -> new BigDecimal(value).stripTrailingZeros())
                .toList();
    }

    private static int processRank(String stage) {
        int rank = PROCESS_ORDER.indexOf(stage);
        return rank < 0 ? PROCESS_ORDER.size() : rank;
    }

    private static BigDecimal seconds(Duration duration) {
        return BigDecimal.valueOf(duration.getSeconds())
                .add(BigDecimal.valueOf(duration.getNano(), 9))
                .stripTrailingZeros();
    }

    private static Map<String, List<LogEvent>> cases(List<LogEvent> log) {
        Map<String, List<LogEvent>> cases = new LinkedHashMap<>();
        for (LogEvent event : log) {
            cases.computeIfAbsent(event.caseId(), id -> new ArrayList<>()).add(event);
        }
        return cases;
    }
}
