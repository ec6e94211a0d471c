package io.polyglot.projection;

import static io.polyglot.projection.TestWorkers.PROJECTED_WITHIN;
import static io.polyglot.projection.TestWorkers.fenced;
import static io.polyglot.projection.TestWorkers.projected;
import static io.polyglot.projection.TestWorkers.skipped;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.polyglot.projection.TestWorkers.Running;
import io.polyglot.projection.domain.ReadModelBatch;
import io.polyglot.projection.readmodel.PostgresReadModelStore;
import java.sql.SQLException;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

class ProjectionWorkerTest extends WorkersOnKafkaAndPostgres {

    private static final Logger log = LoggerFactory.getLogger(ProjectionWorkerTest.class);

    @Test
    void projectsEventsOfTwoAggregateTypesIntoViewsEqualToAReferenceFold() throws SQLException {
        // given a log of both aggregate types, a record of an unknown type and one that is not an event
        SyntheticLog eventLog = SyntheticLog.generate(1, 60, 40);
        eventLog.produceTo(servers.bootstrapServers(), workers.topic());
        SyntheticLog.produceNoise(servers.bootstrapServers(), workers.topic());

        // when
        Running worker = workers.start(200);

        // then
        workers.awaitViewsEqualTheFoldOf(eventLog);
        assertThat(projected(worker.registry(), "loan_applications")).isEqualTo(eventLog.count("LoanApplication"));
        assertThat(projected(worker.registry(), "loan_activity_counts")).isEqualTo(eventLog.count("LoanApplication"));
        assertThat(projected(worker.registry(), "helpdesk_tickets")).isEqualTo(eventLog.count("HelpdeskTicket"));
        assertThat(skipped(worker.registry(), SkipReason.UNDECODABLE)).isEqualTo(1);
        assertThat(skipped(worker.registry(), SkipReason.UNKNOWN_AGGREGATE_TYPE))
                .isEqualTo(1);
        await().atMost(PROJECTED_WITHIN)
                .untilAsserted(() -> assertThat(workers.storedOffsets().values().stream()
                                .mapToLong(Long::longValue)
                                .sum())
                        .isEqualTo(eventLog.entries().size() + 2L));
    }

    @Test
    void aRestartedWorkerResumesFromTheStoredOffsetsWithoutCountingTwice() throws SQLException {
        // given a worker that projected the first part of a log and was stopped
        SyntheticLog eventLog = SyntheticLog.generate(2, 80, 40);
        int firstPart = eventLog.entries().size() / 3;
        eventLog.firstPart(firstPart).produceTo(servers.bootstrapServers(), workers.topic());
        Running first = workers.start(50);
        workers.awaitViewsEqualTheFoldOf(eventLog.firstPart(firstPart));
        first.close();

        // and a second worker stopped while it was still projecting the rest
        eventLog.rest(firstPart).produceTo(servers.bootstrapServers(), workers.topic());
        Running second = workers.start(10);
        await().atMost(PROJECTED_WITHIN).until(() -> projected(second.registry(), "loan_activity_counts") > 0);
        second.close();
        long projectedBeforeTheLastRestart = servers.database().loanApplications().stream()
                .mapToLong(TestDatabase.LoanApplicationRow::eventCount)
                .sum();
        log.info(
                "Stopped the second worker with {} of {} loan events projected",
                projectedBeforeTheLastRestart,
                eventLog.count("LoanApplication"));

        // when a third worker takes over
        workers.start(200);

        // then
        workers.awaitViewsEqualTheFoldOf(eventLog);
    }

    @Test
    void twoInstancesInOneGroupGiveTheSameExactResult() throws SQLException {
        // given two instances sharing the partitions of the topic
        Running one = workers.start(20);
        Running other = workers.start(20);
        await().atMost(PROJECTED_WITHIN)
                .until(() -> !one.worker().ownedPartitions().isEmpty()
                        && !other.worker().ownedPartitions().isEmpty()
                        && one.worker().ownedPartitions().size()
                                        + other.worker().ownedPartitions().size()
                                == PARTITIONS);

        // when
        SyntheticLog eventLog = SyntheticLog.generate(3, 80, 60);
        eventLog.produceTo(servers.bootstrapServers(), workers.topic());

        // then
        workers.awaitViewsEqualTheFoldOf(eventLog);
        long loanEvents =
                projected(one.registry(), "loan_applications") + projected(other.registry(), "loan_applications");
        assertThat(loanEvents).isEqualTo(eventLog.count("LoanApplication"));
    }

    @Test
    void aFencedBatchIsNotAppliedAndTheWorkerGoesOnFromTheStoredOffsets() throws SQLException {
        // given a store in which another instance always gets to the first batch just before this one: a test double
        // around the real store, because two real instances cannot be made to race for the same batch on demand
        SyntheticLog eventLog = SyntheticLog.generate(6, 40, 20);
        eventLog.produceTo(servers.bootstrapServers(), workers.topic());
        AtomicBoolean raced = new AtomicBoolean();

        // when
        Running worker = workers.start(
                100,
                Map.of(),
                pool -> overtaken(new PostgresReadModelStore(pool, workers.group()), raced),
                BatchPause.NONE);

        // then
        workers.awaitViewsEqualTheFoldOf(eventLog);
        assertThat(fenced(worker.registry())).isEqualTo(1);
    }

    private static ReadModelStore overtaken(PostgresReadModelStore real, AtomicBoolean raced) {
        return new ReadModelStore() {
            @Override
            public Map<Integer, Long> storedOffsets(String topicName, Collection<Integer> partitions) {
                return real.storedOffsets(topicName, partitions);
            }

            @Override
            public BatchOutcome apply(ReadModelBatch batch) {
                if (raced.compareAndSet(false, true)) {
                    real.apply(batch);
                }
                return real.apply(batch);
            }
        };
    }
}
