package org.robustseg.data;

import org.robustseg.io.AtomicFiles;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.Raster;
import java.nio.file.Path;

/**
 * RGB images as robustseg sees them: float CHW in [0,1]. Reads PNG and JPEG; gray images are
 * replicated to three channels and an alpha channel is dropped (the colour values are kept as
 * stored, not composited).
 */
public final class Images {
    private Images() {}

    /** Reads a PNG or JPEG file as it is stored (any colour model). */
    public static BufferedImage read(Path file) {
        return decode(ImageCodec.readBytes(file), file);
    }

    /** Decodes PNG or JPEG bytes; {@code source} only names the data in errors. */
    public static BufferedImage decode(byte[] bytes, Object source) {
        return ImageCodec.decode(bytes, source);
    }

    /** Float CHW in [0,1] from any 8- or 16-bit gray, gray+alpha, RGB, RGBA or palette image. */
    public static float[] toChw(BufferedImage image) {
        int h = image.getHeight();
        int w = image.getWidth();
        int plane = h * w;
        float[] chw = new float[3 * plane];
        Raster raster = image.getRaster();
        if (image.getColorModel() instanceof ComponentColorModel cm && raster.getNumBands() <= 4) {
            // Read stored samples directly: getRGB would push gray through a linear-gray colour
            // space conversion and change the values.
            float scale = 1f / ((1 << cm.getComponentSize(0)) - 1);
            boolean gray = raster.getNumBands() <= 2;
            int[] row = new int[w];
            for (int c = 0; c < 3; c++) {
                int band = gray ? 0 : c;
                for (int y = 0; y < h; y++) {
                    raster.getSamples(0, y, w, 1, band, row);
                    for (int x = 0; x < w; x++) {
                        chw[c * plane + y * w + x] = row[x] * scale;
                    }
                }
            }
            return chw;
        }
        int[] rgb = image.getRGB(0, 0, w, h, null, 0, w);
        for (int i = 0; i < plane; i++) {
            chw[i] = ((rgb[i] >> 16) & 0xFF) / 255f;
            chw[plane + i] = ((rgb[i] >> 8) & 0xFF) / 255f;
            chw[2 * plane + i] = (rgb[i] & 0xFF) / 255f;
        }
        return chw;
    }

    /** An 8-bit RGB image from float CHW; values are clamped to [0,1] and rounded to the nearest level. */
    public static BufferedImage fromChw(float[] chw, int height, int width) {
        int plane = height * width;
        if (chw.length != 3 * plane) {
            throw new IllegalArgumentException("CHW array has " + chw.length + " values, expected 3x" + height + "x" + width);
        }
        int[] rgb = new int[plane];
        for (int i = 0; i < plane; i++) {
            rgb[i] = (toByte(chw[i]) << 16) | (toByte(chw[plane + i]) << 8) | toByte(chw[2 * plane + i]);
        }
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        image.setRGB(0, 0, width, height, rgb, 0, width);
        return image;
    }

    /** Rounds a [0,1] value to the 8-bit level a PNG stores (so in-memory and on-disk images agree). */
    public static float quantize(float v) {
        return toByte(v) / 255f;
    }

    public static byte[] encodePng(BufferedImage image) {
        return ImageCodec.encodePng(image);
    }

    public static void writePng(Path file, BufferedImage image) {
        AtomicFiles.write(file, encodePng(image));
    }

    private static int toByte(float v) {
        if (!(v > 0f)) {
            return 0; // also maps NaN to 0
        }
        return v >= 1f ? 255 : Math.round(v * 255f);
    }
}
