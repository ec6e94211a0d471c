package io.polyglot.importer.command;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Cuts the stream of commands into batches of at most {@code maxLines} lines and about {@code maxBytes} bytes.
 *
 * <p>When a batch is full, the trailing run of commands of its last case moves to the next batch, unless that run is
 * the whole batch. A log whose cases are contiguous (every XES log) thus gets batches of whole cases, which lets
 * several batches be in flight at once without two of them holding the same case.
 */
public final class Batcher {

    private final int maxLines;
    private final long maxBytes;
    private final List<PendingCommand> pending = new ArrayList<>();
    private long pendingBytes;

    /**
     * @param maxLines the most lines in one batch, at least 1
     * @param maxBytes the size past which a batch is cut even if it has fewer lines
     */
    public Batcher(int maxLines, long maxBytes) {
        if (maxLines < 1) {
            throw new IllegalArgumentException("maxLines must be at least 1, not " + maxLines);
        }
        this.maxLines = maxLines;
        this.maxBytes = maxBytes;
    }

    /** Adds a command; answers a batch when this one filled it. */
    public Optional<Batch> add(PendingCommand command) {
        pending.add(command);
        pendingBytes += command.json().length + 1;
        if (pending.size() < maxLines && pendingBytes < maxBytes) {
            return Optional.empty();
        }
        int cut = startOfTrailingCase();
        List<PendingCommand> sent = new ArrayList<>(pending.subList(0, cut));
        List<PendingCommand> carried = new ArrayList<>(pending.subList(cut, pending.size()));
        pending.clear();
        pendingBytes = 0;
        carried.forEach(this::keep);
        return Optional.of(new Batch(sent));
    }

    /** The commands not yet in a batch, as a last batch, if there are any. */
    public Optional<Batch> flush() {
        if (pending.isEmpty()) {
            return Optional.empty();
        }
        Batch last = new Batch(pending);
        pending.clear();
        pendingBytes = 0;
        return Optional.of(last);
    }

    private void keep(PendingCommand command) {
        pending.add(command);
        pendingBytes += command.json().length + 1;
    }

    /** Where the run of the last case's commands at the end starts, or the end when that run is everything. */
    private int startOfTrailingCase() {
        String lastCase = pending.get(pending.size() - 1).caseId();
        int start = pending.size() - 1;
        while (start > 0 && pending.get(start - 1).caseId().equals(lastCase)) {
            start--;
        }
        return start == 0 ? pending.size() : start;
    }
}
