package org.robustseg.report;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * How the app writes numbers for people (console tables, markdown, report.html): fixed decimals,
 * and a placeholder where a figure is missing. One place, so a table and the report that quotes
 * it show the same digits.
 */
public final class Format {
    /** What a missing figure reads as in the console, markdown and report tables. */
    public static final String NOT_AVAILABLE = "n/a";
    /** What a missing figure reads as in the synthesis commands' tables (pag.md, saliency). */
    public static final String DASH = "–";

    private Format() {}

    /** {@code v} with {@code digits} decimals ({@code String.format("%.Nf")}). */
    public static String fixed(double v, int digits) {
        return String.format("%." + digits + "f", v);
    }

    /** A JSON figure with {@code digits} decimals, or {@code missing} when it is not a number. */
    public static String fixed(JsonNode v, int digits, String missing) {
        return v.isNumber() ? fixed(v.asDouble(), digits) : missing;
    }

    /** A JSON figure with {@code digits} decimals, or {@link #NOT_AVAILABLE}. */
    public static String fixed(JsonNode v, int digits) {
        return fixed(v, digits, NOT_AVAILABLE);
    }

    /** Seconds as whole seconds, e.g. "42 s". */
    public static String seconds(double s) {
        return fixed(s, 0) + " s";
    }

    /** An L-inf budget in grey levels, e.g. "8/255" (three significant digits). */
    public static String budget255(double eps) {
        return String.format("%.3g/255", eps * 255);
    }
}
