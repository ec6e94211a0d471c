package io.polyglot.importer.delivery;

import io.polyglot.importer.command.PendingCommand;

/**
 * The command service's answer for one command of a batch.
 *
 * @param command the command sent
 * @param accepted whether the command service accepted it
 * @param problem why it was rejected, or {@code null} when accepted
 */
public record LineResult(PendingCommand command, boolean accepted, Problem problem) {}
