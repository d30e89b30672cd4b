package org.robustseg.metric;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
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
     * An image enters as its integer counts: counted here, sent through Java serialization (as to
     * another process) and added, it gives the same figures as the image added directly; counts
     * that cannot be an image's (a cell outside the table, an object finding more pixels than it
     * has) are refused.
     */
    @Test
    void countsMadeElsewhereGiveTheSameFigures() throws Exception {
        int[] lab = {0, 0, 1, 1, 1, 0, 2, 2, 255};
        int[] pred = {0, 1, 1, 1, 0, 0, 2, 1, 2};
        ImageMetrics direct = new ImageMetrics(3, Set.of(0));
        direct.add(pred, lab, 3, 3);
        ImageMetrics.Counts c = direct.count(pred, lab, 3, 3);
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (java.io.ObjectOutputStream out = new java.io.ObjectOutputStream(bytes)) {
            out.writeObject(c);
        }
        ImageMetrics.Counts back;
        try (java.io.ObjectInputStream in = new java.io.ObjectInputStream(new java.io.ByteArrayInputStream(bytes.toByteArray()))) {
            back = (ImageMetrics.Counts) in.readObject();
        }
        assertEquals(c, back);
        ImageMetrics merged = new ImageMetrics(3, Set.of(0));
        merged.add(back, null);
        assertArrayEquals(direct.imageMiou(), merged.imageMiou(), 0.0);
        assertEquals(direct.bySize(), merged.bySize());
        assertEquals(direct.confusion().metrics(), merged.confusion().metrics());
        assertEquals(direct.figures(1, i -> "x"), merged.figures(1, i -> "x"));
        assertEquals(8, back.confusion().total());
        assertThrows(IllegalArgumentException.class, () -> new ImageMetrics.Counts(3, new int[] {9, 1}, new int[0]));
        assertThrows(IllegalArgumentException.class, () -> new ImageMetrics.Counts(3, new int[0], new int[] {0, 2, 3, 0}));
        assertThrows(IllegalArgumentException.class, () -> merged.add(new ImageMetrics.Counts(2, new int[0], new int[0]), null));
        assertThrows(IllegalArgumentException.class, () -> direct.count(new int[] {0, 3}, new int[] {0, 0}, 1, 2));
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

    /**
     * Four 1×2 images of 2 classes, labels 0 1 each; predictions 0 1 (mIoU 1), 1 1 (IoU 0 and 1/2: 1/4),
     * 0 0 (1/4), 1 0 (0). Per-image accuracy 1, 1/2, 1/2, 0. The subset {1, 3} has its own matrix:
     * rows true 0: [0, 2], true 1: [1, 1], so IoU 0 and 1/4, mIoU 1/8, accuracy 1/4 — computed here
     * from the kept per-image cells, not from the whole set's matrix (IoU 2/6 for both classes: mIoU 1/3).
     */
    @Test
    void subsetsPerImageAccuracyAndTheWorstImagesMaps() {
        ImageMetrics m = new ImageMetrics(2, Set.of());
        m.add(new int[] {0, 1, 1, 1, 0, 0, 1, 0}, new int[] {0, 1, 0, 1, 0, 1, 0, 1}, 1, 2);
        assertEquals(4, m.images());
        assertArrayEquals(new double[] {1, 0.5, 0.5, 0}, m.imageAccuracy(), 1e-12);
        assertEquals(1 / 3.0, m.confusion().meanIou(), 1e-12);
        ConfusionMatrix sub = m.confusion(new int[] {1, 3});
        assertEquals(1 / 8.0, sub.meanIou(), 1e-12);
        assertEquals(0.25, sub.pixelAccuracy(), 1e-12);
        assertEquals(4, sub.total());
        assertEquals(m.confusion().meanIou(), m.confusion(new int[] {0, 1, 2, 3}).meanIou(), 1e-12);
        // worst first: image 3 (0), then 1 and 2 (1/4, the earlier first); their predicted maps are kept
        ImageFigures f = m.figures(3, i -> "img" + i);
        assertEquals(List.of(3, 1, 2), f.worstImages().stream().map(ImageFigures.Image::index).toList());
        assertEquals("img3", f.worstImages().get(0).id());
        assertEquals(0.0, f.worstImages().get(0).pixelAccuracy(), 1e-12);
        assertEquals((1 + 0.25 + 0.25 + 0) / 4, f.imageMiou(), 1e-12);
        assertArrayEquals(new int[] {1, 0}, m.worstPrediction(3));
        assertArrayEquals(new int[] {1, 1}, m.worstPrediction(1));
        assertNull(m.worstPrediction(99));
    }

    /** Only the {@link ImageMetrics#KEPT_MAPS} worst images keep their maps, whatever order they come in. */
    @Test
    void onlyTheWorstImagesKeepTheirMaps() {
        ImageMetrics m = new ImageMetrics(2, Set.of());
        int n = ImageMetrics.KEPT_MAPS + 3;
        // image i: labels 0 0 0 ... (8 pixels); prediction wrong on (i * 5) % 8 pixels: a shuffled order of damage
        for (int i = 0; i < n; i++) {
            int wrong = (i * 5) % 8;
            int[] pred = new int[8];
            for (int k = 0; k < wrong; k++) {
                pred[k] = 1;
            }
            m.add(pred, new int[8], 1, 8);
        }
        List<Integer> worst = m.worst(ImageMetrics.KEPT_MAPS).stream().map(ImageMetrics.ImageScore::index).toList();
        for (int i = 0; i < n; i++) {
            assertEquals(worst.contains(i), m.worstPrediction(i) != null, "image " + i + " (worst: " + worst + ")");
        }
    }

    @Test
    void stuffClassesComeFromTheClassNames() {
        ImageMetrics m = ImageMetrics.of(new org.robustseg.data.ClassSet(List.of("background", "cat", "road"), new int[9]));
        // a 1×4 image: background, cat, road, cat pixels; only the two cat pixels form objects
        m.add(new int[] {0, 1, 2, 1}, new int[] {0, 1, 2, 1}, 1, 4);
        Map<ImageMetrics.Size, ImageMetrics.SizeFigures> s = m.bySize();
        assertEquals(2, s.get(ImageMetrics.Size.LARGE).objects());
        assertEquals(0, s.get(ImageMetrics.Size.SMALL).objects() + s.get(ImageMetrics.Size.MEDIUM).objects());
    }
}
