package io.polyglot.dashboard;

import io.polyglot.runtime.InvalidSettingException;
import io.polyglot.runtime.Settings;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs the dashboard as its own process, configured from the environment. */
public final class DashboardMain {

    private static final Logger log = LoggerFactory.getLogger(DashboardMain.class);

    private DashboardMain() {}

    public static void main(String[] args) {
        DashboardConfig config;
        try {
            Settings settings = Settings.load(System.getenv(), DashboardConfig.SETTINGS);
            settings.logResolved(log);
            config = DashboardConfig.from(settings);
        } catch (InvalidSettingException e) {
            log.error("Dashboard refused to start: {}", e.getMessage());
            System.exit(2);
            return;
        }
        Dashboard dashboard = Dashboard.start(config, Clock.systemUTC());
        Runtime.getRuntime().addShutdownHook(new Thread(dashboard::close, "dashboard-shutdown"));
    }
}
