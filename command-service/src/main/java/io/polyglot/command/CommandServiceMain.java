package io.polyglot.command;

import io.polyglot.runtime.InvalidSettingException;
import io.polyglot.runtime.KafkaUnavailableException;
import io.polyglot.runtime.Settings;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs the command service as its own process, configured from the environment. */
public final class CommandServiceMain {

    private static final Logger log = LoggerFactory.getLogger(CommandServiceMain.class);

    private CommandServiceMain() {}

    public static void main(String[] args) {
        CommandServiceConfig config;
        try {
            Settings settings = Settings.load(System.getenv(), CommandServiceConfig.SETTINGS);
            settings.logResolved(log);
            config = CommandServiceConfig.from(settings);
        } catch (InvalidSettingException e) {
            log.error("Command service refused to start: {}", e.getMessage());
            System.exit(2);
            return;
        }
        CommandService service;
        try {
            service = CommandService.start(config, Clock.systemUTC());
        } catch (KafkaUnavailableException e) {
            log.error("Command service could not start: Kafka is unavailable", e);
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(service::close, "command-service-shutdown"));
    }
}
