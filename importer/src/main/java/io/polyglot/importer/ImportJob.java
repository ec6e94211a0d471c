package io.polyglot.importer;

import io.polyglot.importer.log.CsvMapping;
import io.polyglot.importer.log.LogFormat;
import java.nio.file.Path;

/**
 * What one import does, as the command line asked for it.
 *
 * @param file the event log
 * @param format how to read it
 * @param aggregateType the aggregate type of every command
 * @param csvMapping the column mapping, for a CSV log; {@code null} for XES
 * @param batchSize the most commands in one request
 * @param batchBytes the size past which a request is cut even if it has fewer commands
 * @param inFlight how many requests may wait for their answers at once
 */
public record ImportJob(
        Path file,
        LogFormat format,
        String aggregateType,
        CsvMapping csvMapping,
        int batchSize,
        long batchBytes,
        int inFlight) {}
