package org.robustseg.studio.jobs;

import org.robustseg.optim.Iteration;
import org.robustseg.optim.IterationListener;
import org.robustseg.studio.workspace.Pictures;

/**
 * The listener a job hangs on the core's loop for one model: first it lets the job stop the
 * run (stop button, time limit, a page gone away), then it records the mean loss of the iterate
 * and, every {@code every} steps and at the end, the iterate itself as a picture.
 */
final class ProgressRecorder implements IterationListener {
    /** About this many intermediate pictures per run: live enough, and cheap next to a gradient step. */
    static final int PICTURES_PER_RUN = 20;

    private final Job job;
    private final String model;
    private final int height;
    private final int width;
    private final int every;

    ProgressRecorder(Job job, String model, int steps, int height, int width) {
        this.job = job;
        this.model = model;
        this.height = height;
        this.width = width;
        this.every = Math.max(1, steps / PICTURES_PER_RUN);
    }

    @Override
    public void iterate(Iteration it) {
        job.checkStop();
        String picture = null;
        if (it.step() % every == 0 || it.step() == it.steps()) {
            float[] images = it.images();
            float[] first = java.util.Arrays.copyOf(images, 3 * height * width); // one image per job
            picture = Pictures.image(first, height, width);
        }
        job.progress(model, it.step(), it.steps(), it.meanLoss(), picture);
    }
}
