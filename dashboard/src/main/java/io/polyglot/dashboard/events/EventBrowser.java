package io.polyglot.dashboard.events;

import io.polyglot.dashboard.DashboardConfig;
import io.polyglot.runtime.catalog.SchemaCatalog;
import io.polyglot.schemas.EventCodec;
import io.polyglot.schemas.Topics;
import java.time.Clock;
import java.util.Map;

/**
 * What the events pages read with: one {@link TopicReader} of the dashboard's Kafka, a codec that looks unknown
 * fingerprints up in the {@code schemas} topic, the partition pages and the aggregate lookup.
 */
public final class EventBrowser implements AutoCloseable {

    private final TopicReader reader;
    private final RecordJson records;
    private final TopicPages pages;
    private final AggregateHistory aggregates;

    private EventBrowser(DashboardConfig config, Clock clock) {
        DashboardConfig.EventPages bounds = config.events();
        this.reader = new TopicReader(config.kafkaBootstrapServers(), bounds.readTimeout());
        this.records = new RecordJson(EventCodec.withCatalog(new SchemaCatalog(
                config.kafkaBootstrapServers(),
                Topics.SCHEMAS,
                Map.of(),
                bounds.readTimeout(),
                SchemaCatalog.DEFAULT_MIN_REFRESH_INTERVAL,
                clock)));
        this.pages = new TopicPages(reader, records);
        this.aggregates = new AggregateHistory(
                reader,
                records,
                config.commandUrl(),
                config.serviceToken(),
                bounds.scanMaxRecords(),
                bounds.readTimeout());
    }

    /** A browser of the Kafka and command service {@code config} names; it connects on the first request. */
    public static EventBrowser of(DashboardConfig config, Clock clock) {
        return new EventBrowser(config, clock);
    }

    public TopicPages pages() {
        return pages;
    }

    public AggregateHistory aggregates() {
        return aggregates;
    }

    /** Decodes record values as the pages show them. */
    public RecordJson records() {
        return records;
    }

    @Override
    public void close() {
        reader.close();
    }
}
