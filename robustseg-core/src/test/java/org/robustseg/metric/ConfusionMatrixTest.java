package org.robustseg.metric;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ConfusionMatrixTest {
    @Test
    void miouComesFromTheDatasetLevelMatrixNotFromPerImageAverages() {
        ConfusionMatrix cm = new ConfusionMatrix(3);
        // image 1: class 0 perfect (4 px), class 1: 2 right, 2 predicted as 0
        cm.add(new int[] {0, 0, 0, 0, 1, 1, 0, 0}, new int[] {0, 0, 0, 0, 1, 1, 1, 1});
        // image 2: one class-1 pixel predicted as 2, one ignore pixel (not counted), one class-2 right
        cm.add(new int[] {2, 1, 2}, new int[] {1, 255, 2});
        // class 0: tp 4, fp 2 (class-1 px predicted 0), fn 0 -> 4/6
        // class 1: tp 2, fn 3, fp 0 -> 2/5
        // class 2: tp 1, fp 1, fn 0 -> 1/2
        double[] iou = cm.perClassIou();
        assertEquals(4.0 / 6, iou[0], 1e-12);
        assertEquals(2.0 / 5, iou[1], 1e-12);
        assertEquals(1.0 / 2, iou[2], 1e-12);
        assertEquals((4.0 / 6 + 2.0 / 5 + 1.0 / 2) / 3, cm.meanIou(), 1e-12);
        assertEquals(7.0 / 10, cm.pixelAccuracy(), 1e-12);
        assertEquals(10, cm.total());
    }

    @Test
    void absentClassesAreLeftOutOfTheMean() {
        ConfusionMatrix cm = new ConfusionMatrix(4);
        cm.add(new int[] {0, 1, 1}, new int[] {0, 1, 1});
        assertEquals(1.0, cm.meanIou(), 1e-12);
        assertTrue(Double.isNaN(cm.perClassIou()[3]));
        assertNull(cm.metrics().perClassIou().get(3));
    }

    @Test
    void labelOutsideTheClassesIsAnError() {
        ConfusionMatrix cm = new ConfusionMatrix(3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> cm.add(new int[] {0}, new int[] {3}));
        assertTrue(e.getMessage().contains("label 3"), e.getMessage());
    }

    @Test
    void predictionOutsideTheClassesIsAnErrorAndCountsNothing() {
        ConfusionMatrix cm = new ConfusionMatrix(3);
        // before the check, predicted 3 for true class 0 landed in cell (1, 0)
        IllegalArgumentException high = assertThrows(IllegalArgumentException.class,
                () -> cm.add(new int[] {3}, new int[] {0}));
        assertTrue(high.getMessage().contains("predicted class 3"), high.getMessage());
        assertEquals(0, cm.count(1, 0));
        IllegalArgumentException low = assertThrows(IllegalArgumentException.class,
                () -> cm.add(new int[] {-1}, new int[] {1}));
        assertTrue(low.getMessage().contains("predicted class -1"), low.getMessage());
        // an out-of-range prediction at an ignored pixel is not counted, so it is no error
        cm.add(new int[] {7}, new int[] {255});
        assertEquals(0, cm.total());
    }

    @Test
    void mergeRequiresTheSameNumberOfClasses() {
        ConfusionMatrix three = new ConfusionMatrix(3);
        ConfusionMatrix two = new ConfusionMatrix(2);
        two.add(new int[] {1}, new int[] {1});
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> three.merge(two));
        assertTrue(e.getMessage().contains("2 classes") && e.getMessage().contains("3"), e.getMessage());
        assertEquals(0, three.total());
        ConfusionMatrix other = new ConfusionMatrix(3);
        other.add(new int[] {2, 0}, new int[] {1, 1});
        three.merge(other);
        assertEquals(1, three.count(1, 2));
        assertEquals(1, three.count(1, 0));
    }
}
