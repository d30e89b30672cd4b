package org.robustseg.metric;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Per-image, per-class and per-object-size figures on hand-made label maps, expectations worked out by hand. */
class ImageMetricsTest {

    /**
     * Image 0: labels 0 0 1 1, prediction 0 1 1 1: IoU 1/2 (class 0) and 2/3 (class 1), image mIoU 7/12.
     * Image 1: labels 0 0 0 255, prediction 0 0 0 1: only class 0 is present on valid pixels, mIoU 1.
     * Mean over images 19/24; the data-set mIoU is (4/5 + 2/3)/2 = 11/15 instead.
     */
    @Test
    void perImageMiouIsTheMeanOfEachImagesMeanIou() {
        ImageMetrics m = new ImageMetrics(2, Set.of());
        m.add(new int[] {0, 1, 1, 1, 0, 0, 0, 1}, new int[] {0, 0, 1, 1, 0, 0, 0, 255}, 2, 2);
        assertArrayEquals(new double[] {7 / 12.0, 1.0}, m.imageMiou(), 1e-12);
        assertEquals(19 / 24.0, m.meanImageMiou(), 1e-12);
        assertEquals(11 / 15.0, m.confusion().meanIou(), 1e-12);
        assertArrayEquals(new double[] {4 / 5.0, 2 / 3.0}, m.confusion().perClassIou(), 1e-12);
        assertEquals(1, m.worst(1).size());
        assertEquals(0, m.worst(1).get(0).index());
        assertEquals(7 / 12.0, m.worst(1).get(0).miou(), 1e-12);
        assertEquals(2, m.worst(5).size());
    }

    /**
     * A 20×20 image (400 pixels), background 0 as stuff:
     * two small objects of class 1 (3 px, missed; 2 px, found) — small: TP 2, FN 3, IoU 2/5, mean recall 1/2;
     * a medium object of class 2 (4×5 = 20 px, 5%) with 5 pixels missed — IoU 15/20, recall 3/4;
     * a large object of class 3 (10×10 less its 2×2 top-right corner = 96 px, 24%) found, with the corner
     * (inside its box) predicted as class 3 too — IoU 96/100, recall 1. A stray class-3 pixel outside the
     * box is no false positive of the object.
     */
    @Test
    void objectsAreConnectedComponentsScoredBySize() {
        int w = 20;
        int[] lab = new int[400];
        int[] pred = new int[400];
        // small objects of class 1: (0,0),(0,1),(1,0) missed; (19,18),(19,19) found
        for (int p : new int[] {0, 1, w}) {
            lab[p] = 1;
        }
        for (int p : new int[] {19 * w + 18, 19 * w + 19}) {
            lab[p] = 1;
            pred[p] = 1;
        }
        // medium object of class 2: rows 3..6, cols 10..14; the 5 pixels of row 6 missed
        for (int y = 3; y <= 6; y++) {
            for (int x = 10; x <= 14; x++) {
                lab[y * w + x] = 2;
                pred[y * w + x] = y == 6 ? 0 : 2;
            }
        }
        // large object of class 3: rows 8..17, cols 2..11 without rows 8..9 × cols 10..11
        for (int y = 8; y <= 17; y++) {
            for (int x = 2; x <= 11; x++) {
                boolean corner = y <= 9 && x >= 10;
                lab[y * w + x] = corner ? 0 : 3;
                pred[y * w + x] = 3;
            }
        }
        pred[0 * w + 19] = 3; // outside every box of class 3
        ImageMetrics m = new ImageMetrics(4, Set.of(0));
        m.add(pred, lab, 20, 20);
        Map<ImageMetrics.Size, ImageMetrics.SizeFigures> s = m.bySize();
        assertEquals(new ImageMetrics.SizeFigures(2, 2 / 5.0, 0.5), s.get(ImageMetrics.Size.SMALL));
        assertEquals(new ImageMetrics.SizeFigures(1, 15 / 20.0, 0.75), s.get(ImageMetrics.Size.MEDIUM));
        assertEquals(new ImageMetrics.SizeFigures(1, 96 / 100.0, 1.0), s.get(ImageMetrics.Size.LARGE));
    }

    @Test
    void sizeThresholdsAreSharesOfTheImage() {
        assertEquals(ImageMetrics.Size.SMALL, ImageMetrics.sizeOf(0.0099));
        assertEquals(ImageMetrics.Size.MEDIUM, ImageMetrics.sizeOf(0.01));
        assertEquals(ImageMetrics.Size.MEDIUM, ImageMetrics.sizeOf(0.0999));
        assertEquals(ImageMetrics.Size.LARGE, ImageMetrics.sizeOf(0.10));
        ImageMetrics empty = new ImageMetrics(2, Set.of());
        assertTrue(Double.isNaN(empty.bySize().get(ImageMetrics.Size.SMALL).iou()));
    }
}
