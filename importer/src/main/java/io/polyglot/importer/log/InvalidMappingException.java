package io.polyglot.importer.log;

/** The CSV column mapping does not fit the file (a column that is not in the header) or contradicts itself. */
public final class InvalidMappingException extends IllegalArgumentException {

    /** @param message what is wrong, naming the column and what the header offers */
    public InvalidMappingException(String message) {
        super(message);
    }
}
