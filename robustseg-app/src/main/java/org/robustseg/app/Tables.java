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
