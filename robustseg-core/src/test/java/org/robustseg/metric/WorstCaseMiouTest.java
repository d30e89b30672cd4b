package org.robustseg.metric;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** SEA's worst-case mIoU selection on hand-made and random per-image predictions, against brute force. */
class WorstCaseMiouTest {

    /**
     * Two 1×4 images, labels 0 0 1 2 each, two members. Alone, member 0 (image A: 0 0 2 2, image B:
     * 0 0 1 1) and member 1 (A: 0 0 1 1, B: 0 0 2 2) both give mIoU (1 + 1/3 + 1/3)/3 = 5/9. A mix that
     * never predicts one of the classes 1 and 2 (A and B from different members) gives IoU 1, 0, 1/2:
     * mIoU 1/2, the minimum. From member 0 alone the descent switches image A to member 1; from a
     * start that is already a minimum it changes nothing.
     */
    @Test
    void findsTheMixThatNoMemberGivesAlone() {
        int[] labels = {0, 0, 1, 2, 0, 0, 1, 2};
        ImageMetrics m0 = new ImageMetrics(3, Set.of());
        m0.add(new int[] {0, 0, 2, 2, 0, 0, 1, 1}, labels, 1, 4);
        ImageMetrics m1 = new ImageMetrics(3, Set.of());
        m1.add(new int[] {0, 0, 1, 1, 0, 0, 2, 2}, labels, 1, 4);
        assertEquals(5 / 9.0, m0.confusion().meanIou(), 1e-12);
        assertEquals(5 / 9.0, m1.confusion().meanIou(), 1e-12);
        WorstCaseMiou.Selection s = WorstCaseMiou.select(List.of(m0, m1), null, null);
        assertArrayEquals(new int[] {1, 0}, s.member());
        assertEquals(0.5, s.miou(), 1e-12);
        assertEquals(8, s.confusion().total());
        WorstCaseMiou.Selection kept = WorstCaseMiou.select(List.of(m0, m1), new int[] {0, 1}, null);
        assertArrayEquals(new int[] {0, 1}, kept.member());
        assertEquals(1, kept.sweeps());
        // on image B alone the choice is made anew, over that image only
        WorstCaseMiou.Selection b = WorstCaseMiou.select(List.of(m0, m1), null, new int[] {1});
        assertEquals(1, b.member().length);
        assertEquals(4, b.confusion().total());
        assertEquals(0.5, b.miou(), 1e-12);
    }

    /**
     * Random instances (5 images of 1×6 pixels, 3 members, 3 classes): the selection is never above
     * any member alone or the given start, its matrix is the chosen members' cells, and it is never
     * below the brute-force minimum over all 3^5 choices — which it reaches in most instances.
     */
    @Test
    void neverAboveAnyMemberNorTheStartAndNeverBelowTheTrueMinimum() {
        SplittableRandom rng = new SplittableRandom(11);
        int reached = 0;
        int belowEveryMember = 0;
        int instances = 60;
        for (int t = 0; t < instances; t++) {
            int n = 5;
            int[] labels = new int[n * 6];
            for (int i = 0; i < labels.length; i++) {
                labels[i] = rng.nextInt(3);
            }
            List<ImageMetrics> members = new ArrayList<>();
            List<int[]> predictions = new ArrayList<>();
            for (int k = 0; k < 3; k++) {
                int[] p = new int[labels.length];
                for (int i = 0; i < p.length; i++) {
                    p[i] = rng.nextInt(4) == 0 ? labels[i] : rng.nextInt(3);
                }
                ImageMetrics m = new ImageMetrics(3, Set.of());
                m.add(p, labels, 1, 6);
                members.add(m);
                predictions.add(p);
            }
            int[] start = new int[n];
            for (int i = 0; i < n; i++) {
                start[i] = rng.nextInt(3);
            }
            WorstCaseMiou.Selection s = WorstCaseMiou.select(members, start, null);
            double alone = Double.POSITIVE_INFINITY;
            for (ImageMetrics m : members) {
                assertTrue(s.miou() <= m.confusion().meanIou() + 1e-12, "instance " + t);
                alone = Math.min(alone, m.confusion().meanIou());
            }
            assertTrue(s.miou() <= miouOf(predictions, labels, start, n) + 1e-12, "instance " + t);
            assertEquals(miouOf(predictions, labels, s.member(), n), s.miou(), 1e-12, "instance " + t);
            double min = Double.POSITIVE_INFINITY;
            int[] choice = new int[n];
            for (int code = 0; code < 243; code++) {
                for (int i = 0, c = code; i < n; i++, c /= 3) {
                    choice[i] = c % 3;
                }
                min = Math.min(min, miouOf(predictions, labels, choice, n));
            }
            assertTrue(s.miou() >= min - 1e-12, "instance " + t);
            reached += s.miou() <= min + 1e-12 ? 1 : 0;
            belowEveryMember += s.miou() < alone - 1e-12 ? 1 : 0;
        }
        assertTrue(reached >= instances / 2, "the descent reached the minimum in only " + reached + " of " + instances);
        assertTrue(belowEveryMember >= instances / 2, "mixing beat every member alone in only " + belowEveryMember);
    }

    /** The mIoU of taking image i's prediction from member choice[i], counted independently of the class under test. */
    private static double miouOf(List<int[]> predictions, int[] labels, int[] choice, int n) {
        ConfusionMatrix cm = new ConfusionMatrix(3);
        int per = labels.length / n;
        for (int i = 0; i < n; i++) {
            cm.add(java.util.Arrays.copyOfRange(predictions.get(choice[i]), i * per, (i + 1) * per),
                    java.util.Arrays.copyOfRange(labels, i * per, (i + 1) * per));
        }
        return cm.meanIou();
    }
}
