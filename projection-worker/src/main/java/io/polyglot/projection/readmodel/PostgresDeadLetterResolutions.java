package io.polyglot.projection.readmodel;

import static io.polyglot.readmodel.jooq.projection.Tables.DEAD_LETTER_RESOLUTION;

import io.polyglot.projection.DeadLetterResolutions;
import io.polyglot.projection.ReadModelUnavailableException;
import io.polyglot.runtime.deadletter.DeadLetterSource;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import javax.sql.DataSource;
import org.jooq.DSLContext;
import org.jooq.Record;
import org.jooq.SQLDialect;
import org.jooq.exception.DataAccessException;
import org.jooq.impl.DSL;

/**
 * The decisions about a group's dead letters in table {@code projection.dead_letter_resolution}, one row per source
 * record, never changed once written: a dead letter is retried or skipped once.
 */
public final class PostgresDeadLetterResolutions implements DeadLetterResolutions {

    private final DSLContext sql;
    private final String consumerGroup;

    public PostgresDeadLetterResolutions(DataSource dataSource, String consumerGroup) {
        this.sql = DSL.using(dataSource, SQLDialect.POSTGRES);
        this.consumerGroup = consumerGroup;
    }

    @Override
    public Map<DeadLetterSource, Resolution> all(String topic) {
        try {
            Map<DeadLetterSource, Resolution> decided = new TreeMap<>();
            for (Record row : sql.select(
                            DEAD_LETTER_RESOLUTION.PARTITION,
                            DEAD_LETTER_RESOLUTION.SOURCE_OFFSET,
                            DEAD_LETTER_RESOLUTION.RESOLUTION)
                    .from(DEAD_LETTER_RESOLUTION)
                    .where(DEAD_LETTER_RESOLUTION.CONSUMER_GROUP.eq(consumerGroup))
                    .and(DEAD_LETTER_RESOLUTION.TOPIC.eq(topic))
                    .fetch()) {
                decided.put(
                        new DeadLetterSource(
                                topic,
                                row.get(DEAD_LETTER_RESOLUTION.PARTITION),
                                row.get(DEAD_LETTER_RESOLUTION.SOURCE_OFFSET)),
                        parse(row.get(DEAD_LETTER_RESOLUTION.RESOLUTION)));
            }
            return decided;
        } catch (DataAccessException e) {
            throw unavailable("reading the dead-letter decisions", e);
        }
    }

    @Override
    public Decision skip(DeadLetterSource source) {
        try {
            boolean made = !sql.insertInto(
                            DEAD_LETTER_RESOLUTION,
                            DEAD_LETTER_RESOLUTION.CONSUMER_GROUP,
                            DEAD_LETTER_RESOLUTION.TOPIC,
                            DEAD_LETTER_RESOLUTION.PARTITION,
                            DEAD_LETTER_RESOLUTION.SOURCE_OFFSET,
                            DEAD_LETTER_RESOLUTION.RESOLUTION)
                    .values(
                            consumerGroup,
                            source.topic(),
                            source.partition(),
                            source.offset(),
                            Resolution.SKIPPED.json())
                    .onConflictDoNothing()
                    .returningResult(DEAD_LETTER_RESOLUTION.SOURCE_OFFSET)
                    .fetch()
                    .isEmpty();
            if (made) {
                return new Decision(Resolution.SKIPPED, true);
            }
            String existing = sql.select(DEAD_LETTER_RESOLUTION.RESOLUTION)
                    .from(DEAD_LETTER_RESOLUTION)
                    .where(DEAD_LETTER_RESOLUTION.CONSUMER_GROUP.eq(consumerGroup))
                    .and(DEAD_LETTER_RESOLUTION.TOPIC.eq(source.topic()))
                    .and(DEAD_LETTER_RESOLUTION.PARTITION.eq(source.partition()))
                    .and(DEAD_LETTER_RESOLUTION.SOURCE_OFFSET.eq(source.offset()))
                    .fetchSingle(DEAD_LETTER_RESOLUTION.RESOLUTION);
            return new Decision(parse(existing), false);
        } catch (DataAccessException e) {
            throw unavailable("recording a skipped dead letter", e);
        }
    }

    static Resolution parse(String stored) {
        return Resolution.valueOf(stored.toUpperCase(Locale.ROOT));
    }

    private static ReadModelUnavailableException unavailable(String what, DataAccessException e) {
        return new ReadModelUnavailableException(what + " failed (SQL state " + e.sqlState() + ")", e);
    }
}
