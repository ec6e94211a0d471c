package io.polyglot.importer.delivery;

import io.polyglot.importer.command.Batch;
import java.util.List;

/**
 * The final answer for every command of a batch, in the batch's order, after any resends.
 *
 * @param batch the batch sent
 * @param results one result per command, in order
 * @param attempts how many requests it took
 */
public record BatchAnswer(Batch batch, List<LineResult> results, int attempts) {

    /** Keeps an unmodifiable copy. */
    public BatchAnswer {
        results = List.copyOf(results);
    }
}
