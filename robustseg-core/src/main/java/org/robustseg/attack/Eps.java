package org.robustseg.attack;

import java.util.ArrayList;
import java.util.List;

/** Perturbation budgets as users write them: decimals or fractions such as {@code 8/255}. */
public final class Eps {
    private Eps() {}

    /** One budget, e.g. "8/255" or "0.03"; {@code option} names the option in errors. */
    public static float parseOne(String token, String option) {
        String t = token.trim();
        double value;
        try {
            int slash = t.indexOf('/');
            value = slash < 0 ? Double.parseDouble(t)
                    : Double.parseDouble(t.substring(0, slash)) / Double.parseDouble(t.substring(slash + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + ": '" + token + "' is not a number or fraction like 8/255");
        }
        if (!(value >= 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(option + ": '" + token + "' must be a finite number >= 0");
        }
        return (float) value;
    }

    /** A comma-separated list of budgets, checked against the norm (L∞ budgets above 1 are meaningless). */
    public static List<Float> parse(String list, Norm norm) {
        List<Float> out = new ArrayList<>();
        for (String token : list.split(",")) {
            if (token.isBlank()) {
                continue;
            }
            float e = parseOne(token, "--eps");
            if (norm == Norm.LINF && e > 1) {
                throw new IllegalArgumentException("--eps: '" + token.trim() + "' exceeds 1, the whole pixel range, for an L-inf budget");
            }
            out.add(e);
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("--eps: no budget given");
        }
        return out;
    }

    /** L∞ budgets parsed with {@link #parse(String, Norm)}. */
    public static List<Float> of(String list) {
        return parse(list, Norm.LINF);
    }
}
