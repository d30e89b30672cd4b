/**
 * The studio's jobs: a request checked field by field ({@link org.robustseg.studio.jobs.JobRequest}),
 * a bounded queue with one worker ({@link org.robustseg.studio.jobs.JobQueue}: one job runs, a few
 * wait, more are refused), per-job step and time limits, cancellation between two steps of the
 * core's loop, and the live state a page watches ({@link org.robustseg.studio.jobs.Job}). Every
 * mode is a call of the core's presets ({@link org.robustseg.studio.jobs.Modes}), the same API the
 * CLI uses; this package adds no optimisation of its own. Depends on the workspace, the core and
 * the app's option records.
 */
package org.robustseg.studio.jobs;
