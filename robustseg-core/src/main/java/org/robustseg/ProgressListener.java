package org.robustseg;

/**
 * Receives progress of long work (training epochs, evaluation, attacks) so that the library
 * stays free of any console library; the CLI renders it as a progress bar.
 */
public interface ProgressListener {
    /** No-op listener for library use and tests. */
    ProgressListener NONE = new ProgressListener() {
        @Override
        public void start(String task, long total) {}

        @Override
        public void advance(long steps, String status) {}

        @Override
        public void finish() {}
    };

    /** A task of {@code total} steps begins. */
    void start(String task, long total);

    /** {@code steps} more steps are done; {@code status} is a short text such as "loss 0.41". */
    void advance(long steps, String status);

    /** The current task has ended. */
    void finish();
}
