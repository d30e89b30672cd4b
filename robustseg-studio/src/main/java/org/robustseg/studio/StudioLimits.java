package org.robustseg.studio;

import org.robustseg.studio.jobs.Limits;
import picocli.CommandLine.Option;

/** The studio's safety limits as options (defaults: {@link Limits#DEFAULTS}). */
public final class StudioLimits {
    @Option(names = "--max-queued", defaultValue = "" + Limits.DEFAULT_MAX_QUEUED,
            description = "Jobs that may wait behind the running one; one more is refused with 429 (default ${DEFAULT-VALUE}).")
    int maxQueued;

    @Option(names = "--max-steps", defaultValue = "" + Limits.DEFAULT_MAX_STEPS,
            description = "Most gradient steps a job may ask for per model (default ${DEFAULT-VALUE}).")
    int maxSteps;

    @Option(names = "--job-seconds", defaultValue = "" + Limits.DEFAULT_JOB_SECONDS,
            description = "A running job is stopped after this many seconds (default ${DEFAULT-VALUE}).")
    int jobSeconds;

    @Option(names = "--max-upload-mb", defaultValue = "" + (Limits.DEFAULT_MAX_UPLOAD_BYTES >> 20),
            description = "Largest uploaded image file in MiB (default ${DEFAULT-VALUE}).")
    int maxUploadMb;

    public Limits get() {
        if (maxUploadMb < 1 || maxUploadMb > 256) {
            throw new IllegalArgumentException("--max-upload-mb must be in 1..256, got " + maxUploadMb);
        }
        if (maxQueued < 0 || maxSteps < 1 || jobSeconds < 1) {
            throw new IllegalArgumentException("--max-queued must be >= 0, --max-steps and --job-seconds >= 1");
        }
        return new Limits(maxQueued, maxSteps, jobSeconds, Limits.DEFAULT_MAX_JSON_BYTES, maxUploadMb << 20, Limits.DEFAULT_MAX_UPLOAD_PIXELS,
                Limits.DEFAULT_HISTORY);
    }
}
