package org.robustseg.synth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.robustseg.data.DataException;
import org.robustseg.data.Images;
import org.robustseg.optim.Mask;

class HoleTest {
    @TempDir
    Path tmp;

    /** A click selects the 4-connected object under it, of its own class only. */
    @Test
    void componentAtSelectsTheConnectedObjectUnderThePixel() {
        int[] labels = {
            0, 1, 1, 0,
            0, 1, 0, 2,
            1, 0, 2, 2};
        Hole h = Hole.componentAt(labels, 3, 4, 0, 1);
        assertArrayEquals(new boolean[] {false, true, true, false, false, true, false, false, false, false, false, false}, h.pixels());
        assertEquals(3, Hole.componentAt(labels, 3, 4, 2, 3).count());
        assertEquals(1, Hole.componentAt(labels, 3, 4, 2, 0).count(), "diagonal neighbours are not connected");
        assertThrows(IllegalArgumentException.class, () -> Hole.componentAt(labels, 3, 4, 3, 0));
    }

    @Test
    void boxCoversExactlyItsRectangleAndRefusesToLeaveTheImage() {
        Hole h = Hole.box(2, 1, 3, 2, 5, 6); // x=2, y=1, w=3, h=2 in a 6 wide, 5 high image
        assertEquals(6, h.count());
        assertArrayEquals(new int[] {1, 2, 2, 4}, h.bounds());
        assertTrue(h.contains(1, 2) && h.contains(2, 4) && !h.contains(0, 2) && !h.contains(1, 5));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Hole.box(4, 1, 3, 2, 5, 6));
        assertTrue(e.getMessage().contains("does not lie inside"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Hole.box(-1, 0, 2, 2, 5, 6));
        assertThrows(IllegalArgumentException.class, () -> Hole.box(0, 0, 0, 2, 5, 6));
    }

    @Test
    void maskBoxFollowsTheSameConventionAndAlsoRefusesToLeaveTheImage() {
        try (NDManager manager = NDManager.newBaseManager()) {
            Shape images = new Shape(1, 3, 5, 6);
            boolean[] mask = Mask.box(2, 1, 3, 2).resolve(manager, images).toBooleanArray();
            assertArrayEquals(Hole.box(2, 1, 3, 2, 5, 6).pixels(), mask);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Mask.box(4, 1, 3, 2).resolve(manager, images));
            assertTrue(e.getMessage().contains("does not lie inside the 6x5 image"), e.getMessage());
        }
        IllegalArgumentException empty = assertThrows(IllegalArgumentException.class, () -> Mask.box(0, 0, 0, 2));
        assertTrue(empty.getMessage().contains("is empty"), empty.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Mask.box(-1, 0, 2, 2));
    }

    @Test
    void dilateGrowsBySquareNeighbourhoodsAndClips() {
        Hole h = Hole.box(0, 0, 1, 1, 4, 4).dilate(1);
        assertEquals(4, h.count());
        assertEquals(16, Hole.box(1, 1, 2, 2, 4, 4).dilate(1).count());
        assertEquals(9, Hole.box(2, 2, 1, 1, 6, 6).dilate(1).count());
    }

    @Test
    void largestObjectHoleIsCentredOnTheBiggestComponent() {
        int h = 20;
        int w = 20;
        int[] labels = new int[h * w];
        labels[0] = 3; // a one-pixel object of class 3
        for (int r = 10; r < 16; r++) {
            for (int c = 4; c < 10; c++) {
                labels[r * w + c] = 5; // a 6×6 object centred near (12.5, 6.5)
            }
        }
        Hole hole = Hole.overLargestObject(labels, h, w, 4, 0, 11);
        assertEquals(16, hole.count());
        assertArrayEquals(new int[] {10, 4, 13, 7}, hole.bounds()); // bbox rows 10..15, cols 4..9: centre (12, 6)
        // a hole larger than the image's margin is shifted inside
        assertArrayEquals(new int[] {0, 0, 7, 7}, Hole.centredSquare(0, 0, 8, h, w).bounds());
    }

    @Test
    void maskFilesMustMatchTheImageAndMarkSomething() {
        Path file = tmp.resolve("mask.png");
        Images.writePng(file, Hole.box(1, 1, 2, 2, 4, 4).toImage());
        assertEquals(Hole.box(1, 1, 2, 2, 4, 4), Hole.read(file, 4, 4));
        DataException size = assertThrows(DataException.class, () -> Hole.read(file, 5, 4));
        assertTrue(size.getMessage().contains("mask.png") && size.getMessage().contains("4x4"), size.getMessage());
        Path empty = tmp.resolve("empty.png");
        Images.writePng(empty, new Hole(4, 4, new boolean[16]).toImage());
        DataException e = assertThrows(DataException.class, () -> Hole.read(empty, 4, 4));
        assertTrue(e.getMessage().contains("empty"), e.getMessage());
    }

    @Test
    void fillsChangeOnlyTheHole() {
        int h = 6;
        int w = 6;
        float[] img = new float[3 * h * w];
        SplittableRandom rng = new SplittableRandom(3);
        for (int i = 0; i < img.length; i++) {
            img[i] = (float) rng.nextDouble();
        }
        Hole hole = Hole.box(1, 2, 3, 2, h, w);
        for (Fill f : Fill.values()) {
            float[] out = f.apply(img, hole, new SplittableRandom(1));
            for (int c = 0; c < 3; c++) {
                for (int p = 0; p < h * w; p++) {
                    if (!hole.pixels()[p]) {
                        assertEquals(Float.floatToIntBits(img[c * h * w + p]), Float.floatToIntBits(out[c * h * w + p]), f + " pixel " + p);
                    }
                    assertTrue(out[c * h * w + p] >= 0 && out[c * h * w + p] <= 1);
                }
            }
        }
        // mean fill: every hole pixel holds the channel mean of the outside
        float[] mean = Fill.MEAN.apply(img, hole, new SplittableRandom(1));
        double s = 0;
        int n = 0;
        for (int p = 0; p < h * w; p++) {
            if (!hole.pixels()[p]) {
                s += img[p];
                n++;
            }
        }
        assertEquals(s / n, mean[2 * w + 1], 1e-6);
        assertThrows(IllegalArgumentException.class, () -> Fill.parse("zeros"));
    }
}
