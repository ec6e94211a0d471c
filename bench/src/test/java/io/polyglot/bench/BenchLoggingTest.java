package io.polyglot.bench;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import org.junit.jupiter.api.Test;

/** The bench's log setup, {@code bench-logback.xml}, which its {@code main} picks: its own lines and no chatter. */
class BenchLoggingTest {

    @Test
    void keepsTheProjectsProgressAtInfoAndTheLibrariesAtWarnAndAbove() throws Exception {
        // given
        LoggerContext context = new LoggerContext();
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(context);

        // when
        configurator.doConfigure(BenchLoggingTest.class.getResource("/bench-logback.xml"));

        // then
        assertThat(context.getLogger("io.polyglot.bench.BenchRun").isInfoEnabled())
                .isTrue();
        assertThat(context.getLogger("io.polyglot.stack.KafkaBroker").isInfoEnabled())
                .isTrue();
        assertThat(context.getLogger("org.flywaydb.core.internal.command.DbMigrate")
                        .isInfoEnabled())
                .isFalse();
        assertThat(context.getLogger("com.zaxxer.hikari.HikariDataSource").isInfoEnabled())
                .isFalse();
        assertThat(context.getLogger("org.apache.kafka.clients.consumer.ConsumerConfig")
                        .isInfoEnabled())
                .isFalse();
        assertThat(context.getLogger("com.zaxxer.hikari.pool.HikariPool").isWarnEnabled())
                .isTrue();
    }
}
