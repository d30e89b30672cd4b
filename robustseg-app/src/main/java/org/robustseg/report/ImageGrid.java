package org.robustseg.report;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.robustseg.data.ClassSet;
import org.robustseg.data.Images;
import org.robustseg.data.SegSample;
import org.robustseg.io.AtomicFiles;

/**
 * A picture grid for people: titled columns of equally sized tiles, each row one example,
 * tiles upscaled with nearest neighbour so that pixels stay visible. Used for attack examples
 * and synthesis results alike.
 */
public final class ImageGrid {
    private static final int TITLE_HEIGHT = 18;
    private static final int GAP = 4;

    private final List<String> titles;
    private final int scale;
    private final List<List<BufferedImage>> rows = new ArrayList<>();
    private final List<String> rowLabels = new ArrayList<>();

    public ImageGrid(List<String> columnTitles, int scale) {
        this.titles = List.copyOf(columnTitles);
        this.scale = scale;
    }

    /** Adds one row; {@code label} (may be empty; lines split at '\n') is drawn at its left. */
    public ImageGrid addRow(String label, List<BufferedImage> tiles) {
        if (tiles.size() != titles.size()) {
            throw new IllegalArgumentException("row has " + tiles.size() + " tiles for " + titles.size() + " columns");
        }
        rows.add(List.copyOf(tiles));
        rowLabels.add(label == null ? "" : label);
        return this;
    }

    /** Number of rows added so far. */
    public int rows() {
        return rows.size();
    }

    BufferedImage render() {
        int tw = 0;
        int th = 0;
        for (List<BufferedImage> r : rows) {
            for (BufferedImage t : r) {
                tw = Math.max(tw, t.getWidth() * scale);
                th = Math.max(th, t.getHeight() * scale);
            }
        }
        tw = Math.max(tw, 150);
        boolean labels = rowLabels.stream().anyMatch(l -> !l.isEmpty());
        int labelWidth = labels ? 110 : 0;
        int width = labelWidth + titles.size() * (tw + GAP) + GAP;
        int height = TITLE_HEIGHT + rows.size() * (th + GAP) + GAP;
        BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        g.setColor(Color.DARK_GRAY);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        for (int c = 0; c < titles.size(); c++) {
            g.drawString(titles.get(c), labelWidth + GAP + c * (tw + GAP), TITLE_HEIGHT - 5);
        }
        for (int r = 0; r < rows.size(); r++) {
            int y = TITLE_HEIGHT + r * (th + GAP);
            String[] lines = rowLabels.get(r).split("\n");
            for (int k = 0; k < lines.length; k++) {
                g.drawString(lines[k], 4, y + th / 2 + (k - (lines.length - 1) / 2) * 13);
            }
            for (int c = 0; c < titles.size(); c++) {
                BufferedImage t = rows.get(r).get(c);
                g.drawImage(t, labelWidth + GAP + c * (tw + GAP), y, t.getWidth() * scale, t.getHeight() * scale, null);
            }
        }
        g.dispose();
        return out;
    }

    /** Writes the grid as PNG atomically. */
    public void write(Path file) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            ImageIO.write(render(), "png", bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        AtomicFiles.write(file, bytes.toByteArray());
    }

    /** An RGB tile from a CHW float image in [0,1]. */
    public static BufferedImage image(float[] chw, int h, int w) {
        return Images.fromChw(chw, h, w);
    }

    /** matplotlib's "inferno" at 0, 0.1, ..., 1: dark for 0, bright yellow for 1, readable in grey print too. */
    private static final int[] INFERNO = {0x000004, 0x160b39, 0x420a68, 0x6a176e, 0x932667, 0xbc3754, 0xdd513a, 0xf37819,
        0xfca50a, 0xf6d746, 0xfcffa4};

    /** A heat map of values in [0,1] (H×W), linearly interpolated between the inferno anchors. */
    public static BufferedImage heat(float[] values, int h, int w) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        int last = INFERNO.length - 1;
        for (int p = 0; p < h * w; p++) {
            float t = Math.max(0f, Math.min(1f, Float.isNaN(values[p]) ? 0f : values[p])) * last;
            int i = Math.min((int) t, last - 1);
            float f = t - i;
            int rgb = 0;
            for (int shift = 16; shift >= 0; shift -= 8) {
                int a = (INFERNO[i] >> shift) & 0xFF;
                int b = (INFERNO[i + 1] >> shift) & 0xFF;
                rgb |= Math.round(a + f * (b - a)) << shift;
            }
            img.setRGB(p % w, p / w, rgb);
        }
        return img;
    }

    /**
     * The gain that shows a perturbation around grey ({@link #perturbation}): an L∞ budget
     * {@code eps} fills the range; other norms scale by the largest change between the images.
     */
    public static float perturbationGain(boolean linf, float eps, float[] clean, float[] adversarial) {
        if (linf) {
            return 0.5f / eps;
        }
        float m = 0;
        for (int i = 0; i < clean.length; i++) {
            m = Math.max(m, Math.abs(adversarial[i] - clean[i]));
        }
        return 0.5f / Math.max(1e-6f, m);
    }

    /** An amplified perturbation as an image: 0.5 + (adversarial − clean)·gain per value, clamped to [0,1]. */
    public static float[] perturbation(float[] clean, float[] adversarial, float gain) {
        float[] d = new float[clean.length];
        for (int k = 0; k < d.length; k++) {
            d[k] = Math.min(1f, Math.max(0f, 0.5f + (adversarial[k] - clean[k]) * gain));
        }
        return d;
    }

    /** A label map drawn with the class palette (ignore pixels black). */
    public static BufferedImage labels(int[] labels, int h, int w, ClassSet classes) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        int[] palette = classes.palette();
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int v = labels[y * w + x];
                img.setRGB(x, y, v == SegSample.IGNORE || v < 0 || v >= palette.length ? 0 : palette[v]);
            }
        }
        return img;
    }
}
