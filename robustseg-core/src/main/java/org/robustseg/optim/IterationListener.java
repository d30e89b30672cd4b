package org.robustseg.optim;

/**
 * Watches {@link InputOptimizer}'s loop: called once per evaluated iterate, after its loss is
 * known and before the next step, on the thread that runs the loop. A front end shows live
 * progress with it (the studio sends the current image and loss to a browser every few steps).
 *
 * <p>A listener may stop the run by throwing, e.g. a {@link java.util.concurrent.CancellationException}
 * for a user's stop button or a time limit: the exception leaves the loop between two steps, and
 * every array the run made is closed with its manager on the way out, so a cancelled run leaves no
 * native memory behind.
 */
@FunctionalInterface
public interface IterationListener {
    /** Does nothing. */
    IterationListener NONE = iteration -> {};

    /** Iterate {@link Iteration#step()} of {@link Iteration#steps()} has been evaluated. */
    void iterate(Iteration iteration);
}
