package org.robustseg.data;

import org.robustseg.io.AtomicFiles;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.nio.file.Path;

/**
 * Label images on disk. A label map must be stored as raw values: palette (indexed) PNGs, as in
 * Pascal VOC's SegmentationClass, are read as their palette indices, never as colours; 8- or
 * 16-bit grayscale PNGs (Cityscapes labelIds) as their gray values. Colour label images are
 * refused, since guessing a colour-to-class mapping silently corrupts training.
 */
public final class LabelMaps {
    private LabelMaps() {}

    public static LabelMap read(Path file) {
        return decode(ImageCodec.readBytes(file), file);
    }

    /** Decodes label-image bytes; {@code source} only names the data in errors. */
    public static LabelMap decode(byte[] bytes, Object source) {
        BufferedImage image = ImageCodec.decode(bytes, source);
        ColorModel cm = image.getColorModel();
        Raster raster = image.getRaster();
        boolean indexed = cm instanceof IndexColorModel;
        boolean gray = !indexed && raster.getNumBands() == 1;
        if (!indexed && !gray) {
            throw new DataException(source + ": label map has " + raster.getNumBands()
                    + " colour channels; expected a palette (indexed) or grayscale PNG of class ids");
        }
        int h = image.getHeight();
        int w = image.getWidth();
        // The raster holds the stored samples: palette indices or gray levels, untouched by colour conversion.
        int[] values = raster.getSamples(0, 0, w, h, 0, new int[w * h]);
        return new LabelMap(h, w, values);
    }

    /** Writes {@code labels} (values 0..255) as a palette PNG with the given colours (0xRRGGBB, at most 256). */
    public static void write(Path file, LabelMap labels, int[] palette) {
        AtomicFiles.write(file, encodePng(labels, palette));
    }

    /**
     * Encodes a palette PNG. Entries the palette does not cover take the VOC colours, so index 255
     * (ignore) is always drawn in VOC's (224,224,192).
     */
    public static byte[] encodePng(LabelMap labels, int[] palette) {
        if (palette.length > 256) {
            throw new IllegalArgumentException("palette has " + palette.length + " colours; a PNG palette holds at most 256");
        }
        int[] full = ClassSets.vocPalette();
        System.arraycopy(palette, 0, full, 0, palette.length);
        full[SegSample.IGNORE] = ClassSets.vocPalette()[SegSample.IGNORE];
        byte[] r = new byte[256], g = new byte[256], b = new byte[256];
        for (int i = 0; i < 256; i++) {
            r[i] = (byte) (full[i] >> 16);
            g[i] = (byte) (full[i] >> 8);
            b[i] = (byte) full[i];
        }
        for (int v : labels.values()) {
            if (v < 0 || v > 255) {
                throw new IllegalArgumentException("label value " + v + " does not fit a palette PNG (0..255)");
            }
        }
        BufferedImage image = new BufferedImage(labels.width(), labels.height(), BufferedImage.TYPE_BYTE_INDEXED,
                new IndexColorModel(8, 256, r, g, b));
        WritableRaster raster = image.getRaster();
        raster.setSamples(0, 0, labels.width(), labels.height(), 0, labels.values());
        return ImageCodec.encodePng(image);
    }
}
