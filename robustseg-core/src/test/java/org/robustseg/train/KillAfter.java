package org.robustseg.train;

import org.robustseg.ProgressListener;

/** A progress listener that throws after a number of steps: a kill in the middle of an epoch, for resume tests. */
final class KillAfter implements ProgressListener {
    private int left;

    KillAfter(int steps) {
        left = steps;
    }

    @Override
    public void start(String task, long total) {}

    @Override
    public void advance(long steps, String status) {
        if (--left == 0) {
            throw new IllegalStateException("killed");
        }
    }

    @Override
    public void finish() {}
}
