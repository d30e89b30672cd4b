/**
 * The command-line tool's frame: {@link org.robustseg.cli.Main} (dispatch, the engine
 * self-check before any command that computes, one {@code error:} line and an exit code per
 * failure, the restart under a safer oneDNN cap), console progress bars, and
 * {@link org.robustseg.cli.DoctorCommand}, which reports the engine and that check. The commands
 * themselves live in sub-packages by concern; they compose the core library's public API and
 * hold no modelling logic of their own. Options that several commands share are declared once,
 * as picocli mixins, in {@code cli.options}. {@link org.robustseg.cli.TaskJob} is how a command's
 * work is cut into tasks that other processes (robustseg-spark's executors) can run.
 */
package org.robustseg.cli;
