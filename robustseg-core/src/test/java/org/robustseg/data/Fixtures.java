package org.robustseg.data;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/** Small hand-made files for loader tests. */
final class Fixtures {
    private Fixtures() {}

    /** A smooth RGB test pattern (smooth so JPEG keeps it close). */
    static BufferedImage pattern(int h, int w) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, ((x * 255 / Math.max(1, w - 1)) << 16) | ((y * 255 / Math.max(1, h - 1)) << 8) | 128);
            }
        }
        return img;
    }

    static void writeJpeg(Path file, BufferedImage image) throws IOException {
        Files.createDirectories(file.getParent());
        if (!ImageIO.write(image, "jpg", file.toFile())) {
            throw new IllegalStateException("no JPEG writer");
        }
    }

    static void writePng(Path file, BufferedImage image) throws IOException {
        Files.createDirectories(file.getParent());
        ImageIO.write(image, "png", file.toFile());
    }

    /** An 8-bit grayscale PNG holding {@code values} raw (as Cityscapes labelIds are stored). */
    static void writeGrayPng(Path file, int h, int w, int[] values) throws IOException {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
        img.getRaster().setSamples(0, 0, w, h, 0, values);
        writePng(file, img);
    }

    static void writeLines(Path file, String... lines) throws IOException {
        Files.createDirectories(file.getParent());
        Files.write(file, java.util.List.of(lines));
    }

    /**
     * A VOC 2012-style tree (no dataset.json): {@code 2008_000001.jpg} 12x16 with a palette label
     * map holding a 2-pixel 255 border, class 15 (person) on the left half and 0 on the right.
     */
    static int[] writeVocSample(Path root, String id, int h, int w) throws IOException {
        writeJpeg(root.resolve("JPEGImages/" + id + ".jpg"), pattern(h, w));
        int[] labels = new int[h * w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                boolean border = y < 2 || x < 2 || y >= h - 2 || x >= w - 2;
                labels[y * w + x] = border ? 255 : x < w / 2 ? 15 : 0;
            }
        }
        LabelMaps.write(root.resolve("SegmentationClass/" + id + ".png"), new LabelMap(h, w, labels), ClassSets.vocPalette());
        return labels;
    }
}
