package org.robustseg.engine;

import java.util.List;
import java.util.Locale;

/**
 * The outcome of a float32-against-float64 check: every case with its relative error and the
 * tolerance it is held to, and the oneDNN cap it ran under.
 *
 * @param subject what was checked ("engine convolutions" or a model's name)
 * @param cases each case, in the order run
 * @param isaCap the oneDNN cap in effect ({@link OneDnnIsa#cap()})
 */
public record NumericsReport(String subject, List<Case> cases, String isaCap) {

    /** One computation compared: what it was, its relative error and the largest one accepted. */
    public record Case(String name, double relativeError, double tolerance) {
        public boolean passed() {
            return relativeError <= tolerance; // NaN fails
        }

        /** Error as a share of the tolerance (NaN and infinity: +∞), to rank cases of different tolerances. */
        double load() {
            return relativeError <= Double.MAX_VALUE ? relativeError / tolerance : Double.POSITIVE_INFINITY;
        }
    }

    public boolean passed() {
        return cases.stream().allMatch(Case::passed);
    }

    /** The case closest to (or furthest beyond) its tolerance. */
    public Case worst() {
        Case w = cases.get(0);
        for (Case c : cases) {
            if (c.load() > w.load()) {
                w = c;
            }
        }
        return w;
    }

    /** One line: "passed, 27 cases, worst <case> 3.1e-07 (tolerance 1e-04)" or "FAILED: <case> relative error 0.81 (tolerance 1e-04)". */
    public String summary() {
        Case w = worst();
        return passed()
                ? String.format(Locale.ROOT, "passed, %d cases, worst %s %.2g (tolerance %.0e)", cases.size(), w.name(),
                        w.relativeError(), w.tolerance())
                : String.format(Locale.ROOT, "FAILED: %s relative error %.3g (tolerance %.0e)", w.name(), w.relativeError(),
                        w.tolerance());
    }

    /** Throws a {@link NumericsException} naming the fix unless the check passed. */
    public NumericsReport requirePassed() {
        if (!passed()) {
            throw new NumericsException(this);
        }
        return this;
    }
}
