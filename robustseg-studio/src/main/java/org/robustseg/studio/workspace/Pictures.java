package org.robustseg.studio.workspace;

import java.awt.image.BufferedImage;
import java.util.Base64;
import org.robustseg.data.ClassSet;
import org.robustseg.data.Images;
import org.robustseg.report.ImageGrid;

/**
 * The pictures the page shows, as PNG data URLs (images travel inside the JSON and the progress
 * events, so the page needs no second request and the server keeps no image files). Tiles are
 * drawn by the report's {@link ImageGrid}, as in the CLI's grids.
 */
public final class Pictures {
    private Pictures() {}

    /** An RGB image, CHW floats in [0,1]. */
    public static String image(float[] chw, int h, int w) {
        return dataUrl(ImageGrid.image(chw, h, w));
    }

    /** A label map in the class palette (ignore = black), for the page's colour overlays. */
    public static String labels(int[] labels, int h, int w, ClassSet classes) {
        return dataUrl(ImageGrid.labels(labels, h, w, classes));
    }

    /** A heat map of values in [0,1]. */
    public static String heat(float[] values, int h, int w) {
        return dataUrl(ImageGrid.heat(values, h, w));
    }

    /** A mask: white inside. */
    public static String mask(boolean[] inside, int h, int w) {
        float[] chw = new float[3 * h * w];
        for (int p = 0; p < h * w; p++) {
            float v = inside[p] ? 1f : 0f;
            chw[p] = v;
            chw[h * w + p] = v;
            chw[2 * h * w + p] = v;
        }
        return image(chw, h, w);
    }

    public static String dataUrl(BufferedImage image) {
        return "data:image/png;base64," + Base64.getEncoder().encodeToString(Images.encodePng(image));
    }

    /** "#rrggbb" of a palette entry. */
    public static String colour(int rgb) {
        return String.format("#%06x", rgb & 0xFFFFFF);
    }
}
