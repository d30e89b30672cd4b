package org.robustseg.report;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.robustseg.io.AtomicFiles;

/** Line charts (XChart) written as PNG, e.g. robustness curves: mIoU against the attack budget. */
public final class Charts {
    private Charts() {}

    /**
     * Writes a line chart with one series per entry of {@code series} (name → y values over {@code x}).
     *
     * @param file output PNG, written atomically
     */
    public static void lines(Path file, String title, String xLabel, String yLabel, List<Double> x,
                      Map<String, List<Double>> series) {
        XYChart chart = new XYChartBuilder().width(640).height(420).title(title).xAxisTitle(xLabel).yAxisTitle(yLabel).build();
        chart.getStyler().setYAxisMin(0.0);
        chart.getStyler().setLegendVisible(series.size() > 1 || !series.isEmpty());
        chart.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
        for (Map.Entry<String, List<Double>> s : series.entrySet()) {
            chart.addSeries(s.getKey(), x, s.getValue()).setMarker(SeriesMarkers.CIRCLE);
        }
        try {
            AtomicFiles.write(file, BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot render chart " + file + ": " + e.getMessage(), e);
        }
    }
}
