package org.robustseg.app;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.robustseg.metric.SegmentationMetrics;

/** Plain-text tables and one-liners for the console. */
final class Tables {
    private Tables() {}

    static String losses(Map<String, Double> losses) {
        return losses.entrySet().stream().map(e -> String.format("%s loss %.4f", e.getKey(), e.getValue()))
                .collect(Collectors.joining(", "));
    }

    /** ", key value, ..." for extra per-epoch figures (empty when none). */
    static String extras(Map<String, Double> extra) {
        if (extra == null || extra.isEmpty()) {
            return "";
        }
        return extra.entrySet().stream().map(e -> String.format(", %s %.4f", e.getKey(), e.getValue()))
                .collect(Collectors.joining());
    }

    /** A recipe and its options in one line, e.g. "pgd-at linf eps 8/255, 3 steps of 0.0261". */
    static String recipe(org.robustseg.train.RecipeConfig r) {
        if (!r.adversarial()) {
            return r.name();
        }
        String eps = r.norm().equals("linf") ? String.format("%.4g/255", r.eps() * 255) : String.format("%.4g", r.eps());
        return String.format("%s %s eps %s, %d steps of %.4g%s%s", r.name(), r.norm(), eps, r.attackSteps(), r.stepSize(),
                r.beta() == null ? "" : ", beta " + r.beta(), r.advShare() == null ? "" : ", adv share " + r.advShare());
    }

    /** mIoU, pixel accuracy and per-class IoU of one evaluation. */
    static String metrics(SegmentationMetrics m, List<String> classNames) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("%-16s %8s%n", "metric", "value"));
        sb.append(String.format("%-16s %8.4f%n", "mIoU", m.miou()));
        sb.append(String.format("%-16s %8.4f%n", "pixel accuracy", m.pixelAccuracy()));
        for (int c = 0; c < m.perClassIou().size(); c++) {
            Double v = m.perClassIou().get(c);
            String name = c < classNames.size() ? classNames.get(c) : "class " + c;
            sb.append(String.format("  %-14s %8s%n", name, v == null ? "n/a" : String.format("%.4f", v)));
        }
        return sb.toString();
    }
}
