package org.robustseg.cli;

/** Turns an exception chain into the one line a user should read. */
public final class Errors {
    private Errors() {}

    public static String oneLine(Throwable ex) {
        Throwable t = ex;
        // Prefer our own messages: the outermost exception with a message, unwrapping bare wrappers.
        while (t.getCause() != null && (t.getMessage() == null || t.getMessage().equals(t.getCause().toString()))) {
            t = t.getCause();
        }
        String msg = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        return msg.replace('\n', ' ');
    }
}
