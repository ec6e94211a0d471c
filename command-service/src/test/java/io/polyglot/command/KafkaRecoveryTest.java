package io.polyglot.command;

import static io.polyglot.command.RunningCommandService.json;
import static io.polyglot.command.intake.ValidCommands.recordActivity;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.polyglot.testservers.KafkaProxy;
import io.polyglot.testservers.ProxiedKafka;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Predicate;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The service recovers by itself once its broker is back on the same port and data folder: without a restart of the
 * service, commands are decided again and {@code /health/ready} answers 200 within {@link #RECOVERY_BOUND}. (The
 * answers during the outage are {@link KafkaOutageTest}'s subject.)
 */
class KafkaRecoveryTest {

    private static final Logger log = LoggerFactory.getLogger(KafkaRecoveryTest.class);
    /** Longer than the decider's transaction timeout (10 s), so the broker aborts what was open when it stopped. */
    private static final Duration OUTAGE = Duration.ofSeconds(20);
    /** From the broker's restart to a decided answer and to ready, each. */
    private static final Duration RECOVERY_BOUND = Duration.ofSeconds(60);

    /** The decider's transactional producer ending a transaction (EndTxn, API key 26). */
    private static final Predicate<KafkaProxy.RequestHeader> DECIDER_COMMITS =
            header -> header.apiKey() == 26 && header.clientId().endsWith("-StreamThread-1-producer");

    @TempDir
    static Path dataDir;

    static RunningCommandService running;
    static ProxiedKafka kafka;
    static final ExecutorService clients = Executors.newFixedThreadPool(20);

    @BeforeAll
    static void start() {
        kafka = ProxiedKafka.start(dataDir.resolve("kafka"));
        running = RunningCommandService.start(kafka, dataDir, Map.of("HEALTH_PROBE_INTERVAL", "500ms"));
    }

    @AfterAll
    static void stop() {
        clients.shutdownNow();
        if (running != null) {
            running.close();
        } else if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void decidesCommandsAgainAndTurnsReadyWithinABoundOnceAStoppedBrokerIsBackWithoutARestartOfTheService() {
        // given
        String run = "recovery-stop-";
        assertThat(running.postJson(recordActivity(run + "0", run + "a0").toString())
                        .statusCode())
                .isEqualTo(200);

        // when
        kafka.stopBroker();
        outageThenRestart(run);

        // then
        assertRecovered(run);
    }

    @Test
    void decidesCommandsAgainAndTurnsReadyWithinABoundOnceABrokerKilledWithCommandsInFlightIsBack() {
        // given
        String run = "recovery-kill-";
        assertThat(running.postJson(recordActivity(run + "0", run + "a0").toString())
                        .statusCode())
                .isEqualTo(200);
        // The decider's next commit reaches the broker but its answer does not: the broker dies with it open.
        CompletableFuture<KafkaProxy.RequestHeader> commit = kafka.proxy().holdAnswer(DECIDER_COMMITS);
        List<CompletableFuture<HttpResponse<String>>> inFlight = IntStream.range(0, 20)
                .mapToObj(i -> recordActivity(run + "burst-" + i, run + "b" + i).toString())
                .map(body -> CompletableFuture.supplyAsync(() -> running.postJson(body), clients))
                .toList();

        await().atMost(Duration.ofSeconds(30)).until(commit::isDone);

        // when
        kafka.killBroker();
        outageThenRestart(run);

        // then
        assertRecovered(run);
        assertThat(inFlight).allSatisfy(answer -> {
            assertThat(answer).isCompleted();
            assertThat(answer.join().statusCode()).isIn(200, 202, 503);
        });
    }

    /**
     * Waits until the service is not ready, keeps the broker away for {@link #OUTAGE} while every command is refused,
     * restarts it, and waits at most {@link #RECOVERY_BOUND} each for the service to decide one command (the same
     * command id, sent again every half second) and to be ready; logs how long both took.
     */
    private static void outageThenRestart(String run) {
        await().atMost(Duration.ofSeconds(30))
                .until(() -> running.get("/health/ready").statusCode() == 503);
        await().during(OUTAGE)
                .atMost(OUTAGE.plus(Duration.ofSeconds(30)))
                .until(() -> running.postJson(recordActivity(run + "outage", run + "outage")
                                        .toString())
                                .statusCode()
                        == 503);
        kafka.restartBroker();
        long restarted = System.nanoTime();
        await().atMost(RECOVERY_BOUND)
                .pollInterval(Duration.ofMillis(500))
                .until(() ->
                        running.postJson(recordActivity(run + "1", run + "a1").toString())
                                        .statusCode()
                                == 200);
        Duration decidedAgain = since(restarted);
        await().atMost(RECOVERY_BOUND).until(() -> running.get("/health/ready").statusCode() == 200);
        Duration readyAgain = since(restarted);
        log.info(
                "After a {} s outage ({}): decided again {} ms and ready again {} ms after the broker restarted",
                OUTAGE.toSeconds(),
                run,
                decidedAgain.toMillis(),
                readyAgain.toMillis());
    }

    private static void assertRecovered(String run) {
        HttpResponse<String> fresh =
                running.postJson(recordActivity(run + "2", run + "a2").toString());
        assertThat(fresh.statusCode()).isEqualTo(200);
        assertThat(json(fresh).get("status").asText()).isEqualTo("accepted");
        assertThat(json(running.get("/health/ready")).get("status").asText()).isEqualTo("ready");
    }

    private static Duration since(long nanos) {
        return Duration.ofNanos(System.nanoTime() - nanos);
    }
}
