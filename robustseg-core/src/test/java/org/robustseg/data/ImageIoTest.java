package org.robustseg.data;

import static org.junit.jupiter.api.Assertions.*;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageIoTest {
    @Test
    void rgbRoundTripsThroughPngExactly() {
        float[] chw = new float[3 * 2 * 3];
        for (int i = 0; i < chw.length; i++) {
            chw[i] = i * 13 % 256 / 255f;
        }
        BufferedImage img = Images.fromChw(chw, 2, 3);
        float[] back = Images.toChw(Images.decode(Images.encodePng(img), "mem"));
        assertArrayEquals(chw, back, 1e-7f);
    }

    @Test
    void grayAndRgbaBecomeRgbWithStoredValues(@TempDir Path tmp) throws Exception {
        BufferedImage gray = new BufferedImage(2, 1, BufferedImage.TYPE_BYTE_GRAY);
        gray.getRaster().setSamples(0, 0, 2, 1, 0, new int[] {51, 200});
        Fixtures.writePng(tmp.resolve("g.png"), gray);
        float[] g = Images.toChw(Images.read(tmp.resolve("g.png")));
        assertArrayEquals(new float[] {0.2f, 200 / 255f, 0.2f, 200 / 255f, 0.2f, 200 / 255f}, g, 1e-6f);

        BufferedImage rgba = new BufferedImage(1, 1, BufferedImage.TYPE_INT_ARGB);
        rgba.setRGB(0, 0, 0x40FF8000); // mostly transparent orange: colour kept, alpha dropped
        Fixtures.writePng(tmp.resolve("a.png"), rgba);
        float[] a = Images.toChw(Images.read(tmp.resolve("a.png")));
        assertArrayEquals(new float[] {1f, 128 / 255f, 0f}, a, 1e-6f);
    }

    @Test
    void paletteAndGrayLabelMapsReadAsRawValues(@TempDir Path tmp) throws Exception {
        int[] values = {0, 1, 20, 255, 7, 128};
        LabelMaps.write(tmp.resolve("p.png"), new LabelMap(2, 3, values), ClassSets.vocPalette());
        assertArrayEquals(values, LabelMaps.read(tmp.resolve("p.png")).values());
        Fixtures.writeGrayPng(tmp.resolve("g.png"), 2, 3, values);
        LabelMap g = LabelMaps.read(tmp.resolve("g.png"));
        assertEquals(2, g.height());
        assertEquals(3, g.width());
        assertArrayEquals(values, g.values());
    }

    @Test
    void vocPaletteHasTheKnownColours() {
        int[] p = ClassSets.vocPalette();
        assertEquals(0x000000, p[0]);
        assertEquals(0x800000, p[1]);
        assertEquals(0x008000, p[2]);
        assertEquals(0xC08080, p[15]);
        assertEquals(0xE0E0C0, p[255]);
    }

    @Test
    void resampleIsExactOnConstantsAndCentreAligned() {
        float[] flat = {0.5f, 0.5f, 0.5f, 0.5f};
        for (float v : Resample.bilinear(flat, 1, 2, 2, 5, 7)) {
            assertEquals(0.5f, v, 1e-6f);
        }
        // 1x2 -> 1x4 with centre alignment: edge pixels keep the source values, inner ones blend 3:1
        assertArrayEquals(new float[] {0f, 0.25f, 0.75f, 1f}, Resample.bilinear(new float[] {0f, 1f}, 1, 1, 2, 1, 4), 1e-6f);
        assertArrayEquals(new int[] {1, 1, 2, 2}, Resample.nearest(new int[] {1, 2}, 1, 2, 1, 4));
    }
}
