package org.robustseg.engine;

/**
 * The engine computes wrong float32 numbers on this machine. The message names the check that
 * failed and the fix: start the JVM with a safer oneDNN cap (the robustseg CLI does so itself).
 */
public final class NumericsException extends IllegalStateException {
    private final transient NumericsReport report;

    public NumericsException(NumericsReport report) {
        super(message(report));
        this.report = report;
    }

    public NumericsReport report() {
        return report;
    }

    /** The cap to restart with, or null when none is safer than the current one. */
    public String saferCap() {
        return OneDnnIsa.nextSafer(report.isaCap(), OneDnnIsa.cpuFlags());
    }

    private static String message(NumericsReport r) {
        String next = OneDnnIsa.nextSafer(r.isaCap(), OneDnnIsa.cpuFlags());
        String fix = next == null
                ? "no safer oneDNN cap is left to try; please report this machine with `robustseg doctor`"
                : "start the JVM with " + OneDnnIsa.VARIABLE + "=" + next + " in its environment (the robustseg CLI does this itself)";
        return "float32 results disagree with float64 on this CPU under oneDNN cap " + r.isaCap() + " ("
                + r.subject() + ": " + r.summary() + "); " + fix;
    }
}
