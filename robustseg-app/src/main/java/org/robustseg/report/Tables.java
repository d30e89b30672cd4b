package org.robustseg.report;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.robustseg.metric.SegmentationMetrics;
import org.robustseg.train.EpochSummary;
import org.robustseg.train.RobustnessProbe;

/** Plain-text tables and one-liners for the console. */
public final class Tables {
    private Tables() {}

    static String losses(Map<String, Double> losses) {
        return losses.entrySet().stream().map(e -> String.format("%s loss %.4f", e.getKey(), e.getValue()))
                .collect(Collectors.joining(", "));
    }

    /** One line per finished epoch: losses, validation mIoU, the robustness probe, time. */
    public static String epoch(EpochSummary e) {
        Double clean = e.valExtra() == null ? null : e.valExtra().get(RobustnessProbe.CLEAN_ACC);
        Double robust = e.valExtra() == null ? null : e.valExtra().get(RobustnessProbe.ROBUST_ACC);
        return String.format("epoch %d: %s%s%s (%.0f s)", e.epoch(), losses(e.losses()),
                e.valMiou() == null ? "" : String.format(", val mIoU %.4f", e.valMiou()),
                clean == null || robust == null ? "" : String.format(", probe pixel acc clean %.3f / FGSM %.3f", clean, robust),
                e.seconds());
    }

    /** mIoU, pixel accuracy and per-class IoU of one evaluation. */
    public static String metrics(SegmentationMetrics m, List<String> classNames) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("%-16s %8s%n", "metric", "value"));
        sb.append(String.format("%-16s %8.4f%n", "mIoU", m.miou()));
        sb.append(String.format("%-16s %8.4f%n", "pixel accuracy", m.pixelAccuracy()));
        for (int c = 0; c < m.perClassIou().size(); c++) {
            Double v = m.perClassIou().get(c);
            String name = c < classNames.size() ? classNames.get(c) : "class " + c;
            sb.append(String.format("  %-14s %8s%n", name, v == null ? Format.NOT_AVAILABLE : Format.fixed(v, 4)));
        }
        return sb.toString();
    }
}
