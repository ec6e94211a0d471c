package io.polyglot.projection;

import io.polyglot.projection.TestDatabase.ActivityCountRow;
import io.polyglot.projection.TestDatabase.HelpdeskTicketRow;
import io.polyglot.projection.TestDatabase.LoanApplicationRow;
import io.polyglot.runtime.KafkaClientConfig;
import io.polyglot.schemas.Limits;
import io.polyglot.schemas.Topics;
import io.polyglot.schemas.avro.EventEnvelope;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.IntStream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * A made-up event log of loan applications and helpdesk tickets, in the shapes of the BPI logs: interleaved cases,
 * timestamps with ties, missing lifecycles. It produces itself to a topic the way the command service does, and
 * folds itself, the plain way, into the rows the views must show.
 */
final class SyntheticLog {

    private static final Instant START = Instant.parse("2011-10-01T00:00:00Z");
    private static final List<String> LOAN_ACTIVITIES = List.of(
            "A_PARTLYSUBMITTED",
            "A_PREACCEPTED",
            "A_ACCEPTED",
            "A_DECLINED",
            "W_Completeren aanvraag",
            "W_Nabellen offertes",
            "O_SELECTED",
            "O_CREATED");
    private static final List<String> WORK_LIFECYCLES = List.of("SCHEDULE", "START", "COMPLETE");
    private static final List<String> TICKET_ACTIVITIES =
            List.of("Assign seriousness", "Take in charge ticket", "Wait", "Resolve ticket", "Closed");

    private final List<Entry> entries;

    private SyntheticLog(List<Entry> entries) {
        this.entries = entries;
    }

    /** A log of {@code loans} applications and {@code tickets} tickets, the same for the same seed. */
    static SyntheticLog generate(long seed, int loans, int tickets) {
        Random random = new Random(seed);
        List<List<Entry>> cases = new ArrayList<>();
        for (int i = 0; i < loans; i++) {
            cases.add(loanCase(random, "Application_" + (170_000 + i)));
        }
        for (int i = 0; i < tickets; i++) {
            cases.add(ticketCase(random, "Case " + (i + 1)));
        }
        List<Entry> interleaved = new ArrayList<>();
        List<Integer> positions = new ArrayList<>(Collections.nCopies(cases.size(), 0));
        List<Integer> open =
                new ArrayList<>(IntStream.range(0, cases.size()).boxed().toList());
        while (!open.isEmpty()) {
            int pick = random.nextInt(open.size());
            int caseIndex = open.get(pick);
            List<Entry> events = cases.get(caseIndex);
            interleaved.add(events.get(positions.get(caseIndex)));
            positions.set(caseIndex, positions.get(caseIndex) + 1);
            if (positions.get(caseIndex) == events.size()) {
                open.remove(pick);
            }
        }
        return new SyntheticLog(interleaved);
    }

    private static List<Entry> loanCase(Random random, String id) {
        List<Entry> events = new ArrayList<>();
        Instant at = START.plusSeconds(random.nextInt(86_400 * 30));
        String amount = Integer.toString(1_000 * (1 + random.nextInt(50)));
        events.add(new Entry("LoanApplication", id, "A_SUBMITTED", "COMPLETE", at, Map.of("AMOUNT_REQ", amount)));
        int more = 3 + random.nextInt(25);
        for (int i = 0; i < more; i++) {
            at = later(random, at);
            String activity = LOAN_ACTIVITIES.get(random.nextInt(LOAN_ACTIVITIES.size()));
            String lifecycle = activity.startsWith("W_")
                    ? WORK_LIFECYCLES.get(random.nextInt(WORK_LIFECYCLES.size()))
                    : random.nextInt(10) == 0 ? null : "COMPLETE";
            events.add(new Entry("LoanApplication", id, activity, lifecycle, at, Map.of()));
        }
        return events;
    }

    private static List<Entry> ticketCase(Random random, String id) {
        List<Entry> events = new ArrayList<>();
        Instant at = START.plusSeconds(random.nextInt(86_400 * 30));
        events.add(new Entry("HelpdeskTicket", id, "Insert ticket", null, at, Map.of()));
        int more = 1 + random.nextInt(8);
        for (int i = 0; i < more; i++) {
            at = later(random, at);
            String activity = TICKET_ACTIVITIES.get(random.nextInt(TICKET_ACTIVITIES.size()));
            events.add(new Entry("HelpdeskTicket", id, activity, null, at, Map.of("org:resource", "Value " + i)));
        }
        return events;
    }

    /** Often the very same time (real logs have ties), sometimes a little earlier, mostly later. */
    private static Instant later(Random random, Instant at) {
        int roll = random.nextInt(10);
        if (roll < 3) {
            return at;
        }
        if (roll == 3) {
            return at.minusMillis(1 + random.nextInt(5_000));
        }
        return at.plusMillis(random.nextInt(3_600_000)).plusNanos(1_000L * random.nextInt(1_000));
    }

    /** A log of exactly these entries, in this order. */
    static SyntheticLog of(List<Entry> entries) {
        return new SyntheticLog(List.copyOf(entries));
    }

    List<Entry> entries() {
        return entries;
    }

    /** The first {@code count} entries as a log of their own. */
    SyntheticLog firstPart(int count) {
        return new SyntheticLog(entries.subList(0, count));
    }

    /** The entries after the first {@code count}. */
    SyntheticLog rest(int count) {
        return new SyntheticLog(entries.subList(count, entries.size()));
    }

    /** Produces every entry to {@code topic}, keyed by aggregate id, with the event headers, and waits for the acks. */
    void produceTo(String bootstrapServers, String topic) {
        try (KafkaProducer<byte[], byte[]> producer = producer(bootstrapServers)) {
            List<Future<RecordMetadata>> acks = new ArrayList<>();
            for (Entry entry : entries) {
                EventEnvelope envelope = Envelopes.activity(
                        entry.aggregateType(),
                        entry.aggregateId(),
                        entry.activity(),
                        entry.lifecycle(),
                        entry.occurredAt(),
                        entry.attributes());
                acks.add(send(
                        producer, topic, entry.aggregateType(), entry.aggregateId(), Envelopes.CODEC.encode(envelope)));
            }
            awaitAcks(acks);
        }
    }

    /** Produces one record of a type no projection folds and one that is not an envelope at all. */
    static void produceNoise(String bootstrapServers, String topic) {
        try (KafkaProducer<byte[], byte[]> producer = producer(bootstrapServers)) {
            EventEnvelope invoice = Envelopes.activity("Invoice", "Invoice 1", "Sent", null, START, Map.of());
            awaitAcks(List.of(
                    send(producer, topic, "Invoice", "Invoice 1", Envelopes.CODEC.encode(invoice)),
                    send(
                            producer,
                            topic,
                            "LoanApplication",
                            "Garbage",
                            "{not an envelope}".getBytes(StandardCharsets.UTF_8))));
        }
    }

    /**
     * One request in flight: a partition that has just been created can refuse the first request (its leader is not
     * ready yet), and with several in flight the producer then keeps refusing the ones behind it.
     */
    private static KafkaProducer<byte[], byte[]> producer(String bootstrapServers) {
        return new KafkaProducer<>(KafkaClientConfig.producer(
                bootstrapServers,
                Limits.DEFAULT_COMMAND_MAX_BYTES,
                Map.of(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1)));
    }

    private static void awaitAcks(List<Future<RecordMetadata>> acks) {
        for (Future<RecordMetadata> ack : acks) {
            try {
                ack.get(2, TimeUnit.MINUTES);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while producing", e);
            } catch (ExecutionException | TimeoutException e) {
                throw new IllegalStateException("the broker did not take an event", e);
            }
        }
    }

    private static Future<RecordMetadata> send(
            KafkaProducer<byte[], byte[]> producer, String topic, String aggregateType, String id, byte[] value) {
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, id.getBytes(StandardCharsets.UTF_8), value);
        record.headers().add(Topics.HEADER_AGGREGATE_TYPE, aggregateType.getBytes(StandardCharsets.UTF_8));
        return producer.send(record);
    }

    long count(String aggregateType) {
        return entries.stream()
                .filter(entry -> entry.aggregateType().equals(aggregateType))
                .count();
    }

    /** The rows {@code loan_applications} must show, folded the plain way in log order. */
    List<LoanApplicationRow> expectedLoanApplications() {
        Map<String, List<Entry>> cases = cases("LoanApplication");
        return cases.entrySet().stream()
                .map(entry -> {
                    List<Entry> events = entry.getValue();
                    String status = null;
                    Instant submitted = null;
                    for (Entry event : events) {
                        if (event.activity().startsWith("A_")) {
                            status = event.activity();
                        }
                        if (submitted == null && event.activity().equals("A_SUBMITTED")) {
                            submitted = event.occurredAt();
                        }
                    }
                    String amount = events.get(0).attributes().get("AMOUNT_REQ");
                    return new LoanApplicationRow(
                            entry.getKey(),
                            status,
                            amount == null ? null : new BigDecimal(amount).stripTrailingZeros(),
                            submitted,
                            latest(events),
                            events.size());
                })
                .sorted(Comparator.comparing(LoanApplicationRow::applicationId))
                .toList();
    }

    /** The rows {@code loan_activity_counts} must show. */
    List<ActivityCountRow> expectedLoanActivityCounts() {
        Map<List<String>, Long> counts = new HashMap<>();
        for (Entry entry : entries) {
            if (entry.aggregateType().equals("LoanApplication")) {
                counts.merge(Arrays.asList(entry.activity(), entry.lifecycle()), 1L, Long::sum);
            }
        }
        return counts.entrySet().stream()
                .map(entry -> new ActivityCountRow(
                        entry.getKey().get(0), entry.getKey().get(1), entry.getValue()))
                .sorted(Comparator.comparing(ActivityCountRow::activity)
                        .thenComparing(ActivityCountRow::lifecycle, Comparator.nullsFirst(Comparator.naturalOrder())))
                .toList();
    }

    /** The rows {@code helpdesk_tickets} must show. */
    List<HelpdeskTicketRow> expectedHelpdeskTickets() {
        return cases("HelpdeskTicket").entrySet().stream()
                .map(entry -> {
                    List<Entry> events = entry.getValue();
                    return new HelpdeskTicketRow(
                            entry.getKey(),
                            events.get(events.size() - 1).activity(),
                            events.get(0).occurredAt(),
                            latest(events),
                            events.size());
                })
                .sorted(Comparator.comparing(HelpdeskTicketRow::ticketId))
                .toList();
    }

    private Map<String, List<Entry>> cases(String aggregateType) {
        Map<String, List<Entry>> cases = new LinkedHashMap<>();
        for (Entry entry : entries) {
            if (entry.aggregateType().equals(aggregateType)) {
                cases.computeIfAbsent(entry.aggregateId(), id -> new ArrayList<>())
                        .add(entry);
            }
        }
        return cases;
    }

    private static Instant latest(List<Entry> events) {
        return events.stream()
                .map(Entry::occurredAt)
                .max(Comparator.naturalOrder())
                .orElseThrow();
    }

    /** One event of the log. */
    record Entry(
            String aggregateType,
            String aggregateId,
            String activity,
            String lifecycle,
            Instant occurredAt,
            Map<String, String> attributes) {
        Entry {
            Objects.requireNonNull(occurredAt);
        }
    }
}
