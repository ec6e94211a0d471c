package io.polyglot.archiver;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.polyglot.runtime.Metrics;
import io.polyglot.runtime.ServiceEndpoint;
import io.polyglot.runtime.TokenAccess;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The archiver-worker process: reads its settings from the environment, starts the worker and its health, metrics and
 * dead-letter endpoint, and on SIGTERM uploads the sealed segments, commits what is stored, then seals and uploads the
 * open segments without committing them (the next instance skips them from storage) and closes before exiting.
 */
public final class ArchiverMain {

    private static final Logger log = LoggerFactory.getLogger(ArchiverMain.class);

    private ArchiverMain() {}

    /** Runs the archiver until the process is told to stop. */
    public static void main(String[] args) {
        try {
            run();
        } catch (RuntimeException e) {
            log.error("Archiver cannot start", e);
            System.exit(1);
        }
    }

    private static void run() {
        ArchiverSettings settings = ArchiverSettings.load(System.getenv(), log);
        // Checked before the worker starts, so a network bind without a token never consumes a record.
        TokenAccess access = TokenAccess.load(System.getenv(), settings.healthHost(), log);
        PrometheusMeterRegistry registry = Metrics.registry("archiver-worker");
        ArchiverWorker worker = ArchiverWorker.start(settings, registry, Clock.systemUTC());
        ServiceEndpoint endpoint = ServiceEndpoint.start(
                settings.healthHost(), settings.healthPort(), registry, worker::ready, worker.admin(), access);
        log.info("Health and metrics on http://{}:{}/", settings.healthHost(), endpoint.port());
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            log.info("Stopping: uploading sealed segments, committing what is stored");
                            worker.close();
                            endpoint.close();
                        },
                        "archiver-shutdown"));
        try {
            worker.awaitLoopEnd();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        if (worker.failed()) {
            // A dead loop would only fail readiness forever; exiting lets the supervisor start a fresh instance.
            log.error("Archiver loop failed; exiting");
            System.exit(1);
        }
    }
}
