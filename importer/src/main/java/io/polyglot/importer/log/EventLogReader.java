package io.polyglot.importer.log;

import java.io.IOException;

/** Streams the events of one event log to a sink. */
public interface EventLogReader {

    /**
     * Reads the whole log, handing each event to the sink in the log's order.
     *
     * @throws MalformedLogException when the file breaks its format; the events before the fault were delivered
     * @throws IOException when the file cannot be read, {@link CorruptGzipException} when a gzipped one is truncated
     *     or corrupt; the events before the fault were delivered
     */
    void read(EventSink sink) throws MalformedLogException, IOException;
}
