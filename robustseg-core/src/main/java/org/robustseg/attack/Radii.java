package org.robustseg.attack;

import java.util.List;

/**
 * A progressive radius: the attack runs in stages at radii factor_k·eps, each stage taking its
 * share of the steps and starting where the previous stage ended (projected into the smaller
 * ball); only the last stage, at factor 1, yields the result. SEA (Croce, Singh &amp; Hein 2023)
 * runs 2ε, 1.5ε, ε on 30%, 30% and 40% of its iterations (their {@code apgd_largereps}): the
 * large ball lets the early steps leave the clean image's flat neighbourhood, the last stage
 * brings the point back into the budget.
 *
 * @param factors radius of each stage as a multiple of eps; the last must be 1
 * @param fractions share of the steps of every stage but the last (which takes the rest)
 */
public record Radii(List<Float> factors, List<Double> fractions) {
    public Radii {
        factors = List.copyOf(factors);
        fractions = List.copyOf(fractions);
        if (factors.isEmpty() || factors.get(factors.size() - 1) != 1f) {
            throw new IllegalArgumentException("the last radius factor must be 1, got " + factors);
        }
        if (fractions.size() != factors.size() - 1) {
            throw new IllegalArgumentException("need one step fraction per stage but the last: " + factors + " vs " + fractions);
        }
        double sum = 0;
        for (double f : fractions) {
            if (!(f >= 0)) {
                throw new IllegalArgumentException("step fractions must be >= 0, got " + fractions);
            }
            sum += f;
        }
        if (sum > 1) {
            throw new IllegalArgumentException("step fractions add up to more than 1: " + fractions);
        }
    }

    /** One stage at eps: the plain attack. */
    public static Radii single() {
        return new Radii(List.of(1f), List.of());
    }

    /** SEA's schedule: 2ε on ⌊0.3·steps⌋ steps, 1.5ε on ⌊0.3·steps⌋, ε on the rest. */
    public static Radii sea() {
        return new Radii(List.of(2f, 1.5f, 1f), List.of(0.3, 0.3));
    }

    public boolean isSingle() {
        return factors.size() == 1;
    }

    /** The steps of each stage for {@code steps} in all: ⌊fraction·steps⌋ each, the last the rest. */
    public int[] split(int steps) {
        int[] s = new int[factors.size()];
        int used = 0;
        for (int k = 0; k < fractions.size(); k++) {
            s[k] = (int) Math.floor(fractions.get(k) * steps + 1e-9);
            used += s[k];
        }
        s[s.length - 1] = steps - used;
        return s;
    }
}
