package io.polyglot.projection;

import static io.polyglot.projection.TestWorkers.PROJECTED_WITHIN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.Gauge;
import io.polyglot.projection.TestWorkers.Running;
import io.polyglot.projection.domain.ReadModelBatch;
import io.polyglot.projection.readmodel.PostgresReadModelStore;
import io.polyglot.runtime.deadletter.DeadLetter;
import io.polyglot.runtime.deadletter.DeadLetterReader;
import io.polyglot.runtime.deadletter.DeadLetterSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Records PostgreSQL refuses for good (SQL state classes 22, 23, 54) go to the dead letters after their attempts, and
 * the worker moves on; when the database refuses every record, the worker stops sending them and waits instead.
 */
class PoisonRecordTest extends WorkersOnKafkaAndPostgres {

    private static final Instant NINE = Instant.parse("2011-10-01T09:00:00Z");

    @AfterEach
    void dropTheConstraintThatRefusesEveryTicket() throws SQLException {
        execute("alter table projection.helpdesk_ticket drop constraint if exists refuse_all");
    }

    @Test
    void aHelpdeskEventWithANulCharacterGoesToTheDeadLettersOnceAfterThreeAttemptsAndTheWorkerMovesOn()
            throws Exception {
        // given on partition 0 a ticket's event, its event whose activity holds a NUL character, and its next event;
        // and on partition 1 the events of another ticket and of a loan application
        SyntheticLog.Entry inserted = ticketEvent("Case 1", "Insert ticket", 0);
        SyntheticLog.Entry poisoned = ticketEvent("Case 1", "Take in\u0000charge ticket", 60);
        SyntheticLog.Entry closed = ticketEvent("Case 1", "Closed", 120);
        List<SyntheticLog.Entry> elsewhere = List.of(
                ticketEvent("Case 2", "Insert ticket", 0),
                ticketEvent("Case 2", "Resolve ticket", 30),
                loanEvent("Application_1", "A_SUBMITTED", 0));
        workers.send(0, "Case 1", Envelopes.encode(inserted));
        workers.send(0, "Case 1", Envelopes.encode(poisoned));
        workers.send(0, "Case 1", Envelopes.encode(closed));
        for (SyntheticLog.Entry entry : elsewhere) {
            workers.send(1, entry.aggregateId(), Envelopes.encode(entry));
        }
        List<SyntheticLog.Entry> good = new ArrayList<>(List.of(inserted, closed));
        good.addAll(elsewhere);

        // when
        Running worker = workers.start(10);

        // then the good ones are applied, the poisoned one is one dead letter of this group after 3 attempts, the
        // offsets are past it and the lag is back to zero
        workers.awaitViewsEqualTheFoldOf(SyntheticLog.of(good));
        awaitTheOffsetsAndNoLag(worker, Map.of(0, 3L, 1, 3L));
        DeadLetter letter = theOnlyDeadLetter(new DeadLetterSource(workers.topic(), 0, 1));
        assertThat(letter.attempts()).isEqualTo(3);
        assertThat(letter.errorClass()).isEqualTo(ReadModelWriteException.class.getName());
        assertThat(letter.errorMessage()).containsPattern("SQL state 22\\w{3}");
        assertThat(refusedDeadLetters(worker)).isEqualTo(1.0);
        assertThat(worker.worker().isConsuming()).isTrue();

        // and the worker goes on consuming
        SyntheticLog.Entry reopened = ticketEvent("Case 1", "Reopen", 180);
        workers.send(0, "Case 1", Envelopes.encode(reopened));
        good.add(reopened);
        workers.awaitViewsEqualTheFoldOf(SyntheticLog.of(good));

        // when it restarts, then it sends no second dead letter and applies nothing twice
        worker.close();
        SyntheticLog.Entry afterRestart = ticketEvent("Case 2", "Closed", 90);
        workers.send(1, "Case 2", Envelopes.encode(afterRestart));
        good.add(afterRestart);
        Running restarted = workers.start(10);
        workers.awaitViewsEqualTheFoldOf(SyntheticLog.of(good));
        awaitTheOffsetsAndNoLag(restarted, Map.of(0, 4L, 1, 4L));
        theOnlyDeadLetter(new DeadLetterSource(workers.topic(), 0, 1));
        assertThat(refusedDeadLetters(restarted)).isZero();
    }

    @Test
    void aLoanEventWhoseActivityIsTooLargeForTheIndexGoesToTheDeadLettersOnceAndTheWorkerMovesOn() throws Exception {
        // given on partition 0 an application's event, its event with a 100 KB activity of random letters (larger
        // than a btree index row may be, even compressed), and its next event; an event on partition 2
        SyntheticLog.Entry submitted = loanEvent("Application_2", "A_SUBMITTED", 0);
        SyntheticLog.Entry huge = loanEvent("Application_2", randomLetters(100_000), 60);
        SyntheticLog.Entry accepted = loanEvent("Application_2", "A_ACCEPTED", 120);
        SyntheticLog.Entry other = loanEvent("Application_3", "A_SUBMITTED", 0);
        workers.send(0, "Application_2", Envelopes.encode(submitted));
        workers.send(0, "Application_2", Envelopes.encode(huge));
        workers.send(0, "Application_2", Envelopes.encode(accepted));
        workers.send(2, "Application_3", Envelopes.encode(other));

        // when
        Running worker = workers.start(10);

        // then
        workers.awaitViewsEqualTheFoldOf(SyntheticLog.of(List.of(submitted, accepted, other)));
        awaitTheOffsetsAndNoLag(worker, Map.of(0, 3L, 2, 1L));
        DeadLetter letter = theOnlyDeadLetter(new DeadLetterSource(workers.topic(), 0, 1));
        assertThat(letter.attempts()).isEqualTo(3);
        assertThat(letter.errorMessage()).contains("SQL state 54000");
        assertThat(worker.worker().isConsuming()).isTrue();

        // and a restart sends no second dead letter and applies nothing twice
        worker.close();
        Running restarted = workers.start(10);
        await().atMost(PROJECTED_WITHIN).until(() -> restarted.worker().isConsuming());
        awaitTheOffsetsAndNoLag(restarted, Map.of(0, 3L, 2, 1L));
        workers.awaitViewsEqualTheFoldOf(SyntheticLog.of(List.of(submitted, accepted, other)));
        theOnlyDeadLetter(new DeadLetterSource(workers.topic(), 0, 1));
    }

    @Test
    void aWorkerStoppedBetweenTheDeadLetterAndTheAdvancePastItSendsNoSecondOneAndAppliesNothingTwice()
            throws Exception {
        // given a poisoned ticket event between two good ones, and a store whose database goes away once, right
        // after the dead letter was sent and before the offset moves past it (a wrapper: the real server cannot be
        // made to fail at exactly that statement)
        SyntheticLog.Entry inserted = ticketEvent("Case 3", "Insert ticket", 0);
        SyntheticLog.Entry poisoned = ticketEvent("Case 3", "Wait\u0000", 60);
        SyntheticLog.Entry closed = ticketEvent("Case 3", "Closed", 120);
        workers.send(0, "Case 3", Envelopes.encode(inserted));
        workers.send(0, "Case 3", Envelopes.encode(poisoned));
        workers.send(0, "Case 3", Envelopes.encode(closed));
        AtomicBoolean wentAway = new AtomicBoolean();
        Running first = workers.start(
                10,
                Map.of("DATABASE_RETRY_MAX_DELAY", "1s"),
                pool -> goingAwayBeforeTheAdvancePast(
                        new PostgresReadModelStore(pool, workers.group()), 0, 2, wentAway),
                BatchPause.NONE);
        await().atMost(PROJECTED_WITHIN).untilTrue(wentAway);
        theOnlyDeadLetter(new DeadLetterSource(workers.topic(), 0, 1));

        // when it stops there and another worker of the group starts
        first.close();
        assertThat(workers.storedOffsets()).containsEntry(0, 1L);
        Running second = workers.start(10);

        // then the good ones are applied once each, and the poisoned one has its one dead letter
        workers.awaitViewsEqualTheFoldOf(SyntheticLog.of(List.of(inserted, closed)));
        awaitTheOffsetsAndNoLag(second, Map.of(0, 3L));
        theOnlyDeadLetter(new DeadLetterSource(workers.topic(), 0, 1));
        assertThat(refusedDeadLetters(second)).isZero();
    }

    @Test
    void whenTheDatabaseRefusesEveryRecordTheWorkerSendsAtMostTheStreakToTheDeadLettersAndWaitsUntilOneApplies()
            throws Exception {
        // given a constraint that refuses every ticket row, and eight tickets on partition 0
        execute("alter table projection.helpdesk_ticket add constraint refuse_all check (false) not valid");
        List<SyntheticLog.Entry> tickets = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            SyntheticLog.Entry ticket = ticketEvent("Case " + (10 + i), "Insert ticket", i);
            tickets.add(ticket);
            workers.send(0, ticket.aggregateId(), Envelopes.encode(ticket));
        }

        // when
        Running worker = workers.start(10, Map.of("DATABASE_RETRY_MAX_DELAY", "1s"), this::realStore, BatchPause.NONE);

        // then the first five are dead letters, and the worker waits, not ready, sending no more
        await().atMost(PROJECTED_WITHIN).until(() -> worker.worker().isWaitingForTheDatabase());
        await().during(Duration.ofSeconds(4))
                .atMost(Duration.ofSeconds(30))
                .until(() -> worker.worker().isWaitingForTheDatabase()
                        && !worker.worker().isConsuming()
                        && worker.worker().failure().isEmpty());
        assertThat(deadLetters())
                .extracting(DeadLetter::source)
                .extracting(DeadLetterSource::offset)
                .containsExactly(0L, 1L, 2L, 3L, 4L);
        assertThat(deadLetters())
                .allSatisfy(letter -> assertThat(letter.errorMessage()).contains("SQL state 23514"));
        assertThat(workers.storedOffsets()).containsEntry(0, 5L);

        // when the constraint is dropped, then the rest is applied and the worker is ready again
        execute("alter table projection.helpdesk_ticket drop constraint refuse_all");
        workers.awaitViewsEqualTheFoldOf(SyntheticLog.of(tickets.subList(5, 8)));
        await().atMost(PROJECTED_WITHIN).until(() -> worker.worker().isConsuming());
        awaitTheOffsetsAndNoLag(worker, Map.of(0, 8L));
        assertThat(deadLetters()).hasSize(5);
        assertThat(refusedDeadLetters(worker)).isEqualTo(5.0);
    }

    private ReadModelStore realStore(com.zaxxer.hikari.HikariDataSource pool) {
        return new PostgresReadModelStore(pool, workers.group());
    }

    /**
     * The real store until a batch that changes no row moves {@code partition} to {@code next} (the advance past a
     * dead letter): from then on every batch fails as if the database had gone away.
     */
    private static ReadModelStore goingAwayBeforeTheAdvancePast(
            PostgresReadModelStore real, int partition, long next, AtomicBoolean wentAway) {
        return new ReadModelStore() {
            @Override
            public Map<Integer, Long> storedOffsets(String topic, Collection<Integer> partitions) {
                return real.storedOffsets(topic, partitions);
            }

            @Override
            public BatchOutcome apply(ReadModelBatch batch) {
                if (batch.changesNoRow()
                        && batch.advances().stream()
                                .anyMatch(advance -> advance.partition() == partition && advance.next() == next)) {
                    wentAway.set(true);
                }
                if (wentAway.get()) {
                    throw new ReadModelUnavailableException("the test's database went away", null);
                }
                return real.apply(batch);
            }
        };
    }

    private void awaitTheOffsetsAndNoLag(Running worker, Map<Integer, Long> offsets) {
        await().atMost(PROJECTED_WITHIN).untilAsserted(() -> {
            assertThat(workers.storedOffsets()).containsAllEntriesOf(offsets);
            for (Integer partition : offsets.keySet()) {
                // Found, not required: the gauge exists only once the worker owns the partition.
                Gauge lag = worker.registry()
                        .find("polyglot.consumer.lag")
                        .tag("partition", Integer.toString(partition))
                        .gauge();
                assertThat(lag).isNotNull();
                assertThat(lag.value()).isZero();
            }
        });
    }

    private DeadLetter theOnlyDeadLetter(DeadLetterSource source) {
        List<DeadLetter> letters = deadLetters();
        assertThat(letters)
                .extracting(DeadLetter::source, DeadLetter::group)
                .containsExactly(org.assertj.core.api.Assertions.tuple(source, workers.group()));
        return letters.get(0);
    }

    private List<DeadLetter> deadLetters() {
        return new DeadLetterReader(
                        servers.bootstrapServers(), workers.deadLetterTopic(), Duration.ofSeconds(30), Map.of())
                .readAll();
    }

    private static double refusedDeadLetters(Running worker) {
        return worker.registry()
                .get("polyglot.projection.dead.letters")
                .tag("reason", "refused")
                .counter()
                .count();
    }

    private static void execute(String sql) throws SQLException {
        try (Connection connection = servers.database().dataSource().getConnection();
                Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    private static SyntheticLog.Entry ticketEvent(String ticket, String activity, int secondsLater) {
        return new SyntheticLog.Entry(
                "HelpdeskTicket", ticket, activity, null, NINE.plusSeconds(secondsLater), Map.of());
    }

    private static SyntheticLog.Entry loanEvent(String application, String activity, int secondsLater) {
        return new SyntheticLog.Entry(
                "LoanApplication",
                application,
                activity,
                "COMPLETE",
                NINE.plusSeconds(secondsLater),
                activity.equals("A_SUBMITTED") ? Map.of("AMOUNT_REQ", "5000") : Map.of());
    }

    private static String randomLetters(int length) {
        Random random = new Random(54_000);
        StringBuilder letters = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            int letter = random.nextInt(52);
            letters.append((char) (letter < 26 ? 'a' + letter : 'A' + letter - 26));
        }
        return letters.toString();
    }
}
