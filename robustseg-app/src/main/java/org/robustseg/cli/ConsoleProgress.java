package org.robustseg.cli;

import java.io.PrintStream;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.robustseg.ProgressListener;

/** Renders library progress as a console progress bar with rate and ETA. */
public final class ConsoleProgress implements ProgressListener {
    private final PrintStream out;
    private ProgressBar bar;

    ConsoleProgress(PrintStream out) {
        this.out = out;
    }

    public static ConsoleProgress stderr() {
        return new ConsoleProgress(System.err);
    }

    @Override
    public void start(String task, long total) {
        finish();
        bar = new ProgressBarBuilder().setTaskName(task).setInitialMax(total).setStyle(ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(500).setConsumer(new me.tongfei.progressbar.ConsoleProgressBarConsumer(out))
                .showSpeed().build();
    }

    @Override
    public void advance(long steps, String status) {
        if (bar != null) {
            bar.stepBy(steps);
            bar.setExtraMessage(status == null ? "" : " " + status);
        }
    }

    @Override
    public void finish() {
        if (bar != null) {
            bar.close();
            bar = null;
        }
    }
}
