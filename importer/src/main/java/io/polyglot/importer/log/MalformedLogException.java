package io.polyglot.importer.log;

/**
 * The log file breaks its format (not well-formed XML, an unexpected element, a CSV record with the wrong number of
 * fields). Fatal for the import: the events before it have been read, nothing after it is.
 */
public final class MalformedLogException extends Exception {

    private final long line;
    private final long column;

    /**
     * @param line the 1-based line of the fault, or -1 when unknown
     * @param column the 1-based column of the fault, or -1 when unknown
     */
    public MalformedLogException(String message, long line, long column, Throwable cause) {
        super(message, cause);
        this.line = line;
        this.column = column;
    }

    /** The 1-based line of the fault, or -1 when unknown. */
    public long line() {
        return line;
    }

    /** The 1-based column of the fault, or -1 when unknown. */
    public long column() {
        return column;
    }

    /** Where and what, in one phrase: {@code line 12, column 4: <message>}. */
    public String describe() {
        StringBuilder where = new StringBuilder();
        if (line > 0) {
            where.append("line ").append(line);
            if (column > 0) {
                where.append(", column ").append(column);
            }
            where.append(": ");
        }
        return where + getMessage();
    }
}
