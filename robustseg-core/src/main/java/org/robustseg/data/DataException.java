package org.robustseg.data;

/**
 * Bad or missing input data. The message is one line that starts with the offending file or
 * directory, so that a command-line user sees at once what to fix.
 */
public class DataException extends RuntimeException {
    public DataException(String message) {
        super(message);
    }

    public DataException(String message, Throwable cause) {
        super(message, cause);
    }
}
