package org.robustseg.report;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import org.robustseg.data.SegDataset;
import org.robustseg.data.SegSample;
import org.robustseg.metric.ImageFigures;
import org.robustseg.metric.ImageMetrics;
import org.robustseg.metric.RobustnessComparison;

/**
 * The worst images of a robustness table as a picture grid: per model, the images with the lowest
 * per-image mIoU under one attack column, each as image | labels | prediction under attack. The
 * predictions are the ones the evaluation scored ({@link ImageMetrics#worstPrediction}, kept while
 * it ran), so the picture costs no attack of its own and shows exactly what was counted.
 */
public final class WorstImages {
    private WorstImages() {}

    /**
     * Writes the grid for column {@code attack} at {@code eps} of every row that has it; returns
     * the number of image rows drawn (0: nothing written).
     */
    public static int write(Path png, List<RobustnessComparison.Row> rows, String attack, float eps, SegDataset data) {
        ImageGrid grid = new ImageGrid(List.of("image", "labels", "prediction under attack"), 2);
        for (RobustnessComparison.Row r : rows) {
            RobustnessComparison.Column c = r.columns().stream().filter(x -> x.attack().equals(attack) && x.eps() == eps)
                    .findFirst().orElse(null);
            if (c == null) {
                continue;
            }
            ImageFigures f = r.figures(c.point(), c.subset());
            for (ImageFigures.Image worst : f.worstImages()) {
                int[] predicted = c.point().images().worstPrediction(worst.index());
                if (predicted == null) {
                    continue; // only the ImageMetrics.KEPT_MAPS worst are kept
                }
                SegSample s = data.get(c.subset() ? r.subset()[worst.index()] : worst.index());
                List<BufferedImage> tiles = List.of(ImageGrid.image(s.image(), s.height(), s.width()),
                        ImageGrid.labels(s.labels(), s.height(), s.width(), data.classes()),
                        ImageGrid.labels(predicted, s.height(), s.width(), data.classes()));
                grid.addRow(String.format("%s%n%s%nmIoU %.2f", r.name(), s.id(), worst.miou()), tiles);
            }
        }
        if (grid.rows() > 0) {
            grid.write(png);
        }
        return grid.rows();
    }
}
