package org.robustseg.studio.jobs;

/**
 * The studio's safety limits, each answered by one clear 4xx when a request passes it.
 *
 * @param maxQueued jobs that may wait behind the running one (one more: 429)
 * @param maxSteps gradient steps one job may ask for per model
 * @param jobSeconds a running job is stopped after this long
 * @param maxJsonBytes largest JSON request body (413 above)
 * @param maxUploadBytes largest uploaded image file (413 above)
 * @param maxUploadPixels largest uploaded image, in pixels, read from its header before decoding (413 above)
 * @param history finished jobs kept for GET /api/jobs/{id} (older ones answer 404)
 */
public record Limits(int maxQueued, int maxSteps, int jobSeconds, int maxJsonBytes, int maxUploadBytes, long maxUploadPixels, int history) {
    public static final int DEFAULT_MAX_QUEUED = 4;
    public static final int DEFAULT_MAX_STEPS = 500;
    public static final int DEFAULT_JOB_SECONDS = 120;
    public static final int DEFAULT_MAX_JSON_BYTES = 1 << 20;
    public static final int DEFAULT_MAX_UPLOAD_BYTES = 8 << 20;
    public static final long DEFAULT_MAX_UPLOAD_PIXELS = 4096L * 4096L;
    public static final int DEFAULT_HISTORY = 64;

    public static final Limits DEFAULTS = new Limits(DEFAULT_MAX_QUEUED, DEFAULT_MAX_STEPS, DEFAULT_JOB_SECONDS, DEFAULT_MAX_JSON_BYTES,
            DEFAULT_MAX_UPLOAD_BYTES, DEFAULT_MAX_UPLOAD_PIXELS, DEFAULT_HISTORY);

    public Limits {
        if (maxQueued < 0 || maxSteps < 1 || jobSeconds < 1 || maxJsonBytes < 1 || maxUploadBytes < 1 || maxUploadPixels < 1 || history < 1) {
            throw new IllegalArgumentException("studio limits must be positive (--max-queued may be 0)");
        }
    }
}
