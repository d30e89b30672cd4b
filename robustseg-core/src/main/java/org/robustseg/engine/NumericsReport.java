package org.robustseg.engine;

import java.util.List;
import java.util.Locale;

/**
 * The outcome of a float32-against-float64 check: every case with its relative error, the
 * tolerance, and the oneDNN cap it ran under.
 *
 * @param subject what was checked ("engine" or a model name and input shape)
 * @param cases each case and its relative error, in the order run
 * @param tolerance the largest relative error accepted
 * @param isaCap the oneDNN cap in effect ({@link OneDnnIsa#cap()})
 */
public record NumericsReport(String subject, List<Case> cases, double tolerance, String isaCap) {

    /** One computation compared: what it was and its relative error. */
    public record Case(String name, double relativeError) {}

    public boolean passed() {
        return cases.stream().allMatch(c -> c.relativeError() <= tolerance);
    }

    /** The case with the largest relative error (NaN-safe: infinity sorts last). */
    public Case worst() {
        Case w = cases.get(0);
        for (Case c : cases) {
            if (!(c.relativeError() <= w.relativeError())) {
                w = c;
            }
        }
        return w;
    }

    /** One line: "passed (worst: <case> 3.1e-07)" or "FAILED: <case> relative error 0.81 (tolerance 1e-04)". */
    public String summary() {
        Case w = worst();
        return passed()
                ? String.format(Locale.ROOT, "passed, %d cases, worst %s %.2g", cases.size(), w.name(), w.relativeError())
                : String.format(Locale.ROOT, "FAILED: %s relative error %.3g (tolerance %.0e)", w.name(), w.relativeError(), tolerance);
    }

    /** Throws a {@link NumericsException} naming the fix unless the check passed. */
    public NumericsReport requirePassed() {
        if (!passed()) {
            throw new NumericsException(this);
        }
        return this;
    }
}
