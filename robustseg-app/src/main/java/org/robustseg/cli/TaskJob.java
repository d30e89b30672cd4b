package org.robustseg.cli;

import java.io.Serializable;
import java.nio.file.Path;
import java.util.List;

/**
 * A command's work cut into tasks that can run in other processes — a Spark cluster's executors
 * (robustseg-spark) — with the results merged where the job was planned. The command itself runs
 * the same tasks one after the other, so both give the same files: a task's randomness is keyed
 * by the images it holds (never by which process runs it), tasks are the command's own batches,
 * and every file a task writes is written atomically.
 *
 * <p>A job is built from the command's options in every process; {@link #tasks()} checks them and
 * opens the data (no image decoded), {@link #run} loads the models it needs on first use and keeps
 * them (the caller closes the job), {@link #finish} writes the job's summary files.
 *
 * @param <R> what a task hands back, per image or for the whole task (serializable: it may cross the network)
 */
public interface TaskJob<R extends Serializable> extends AutoCloseable {
    /** The number of tasks; checks the options first. */
    int tasks();

    /** Runs task {@code task} (0..tasks()-1) on {@code device} (null: the engine's default); writes its files. */
    List<R> run(int task, ai.djl.Device device);

    /** Writes the job's summary files from every task's results (in any order). */
    void finish(List<R> results);

    /** The output directory. */
    Path out();

    /** Closes the models this job loaded. */
    @Override
    void close();
}
