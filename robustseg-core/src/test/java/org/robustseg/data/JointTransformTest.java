package org.robustseg.data;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Arrays;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class JointTransformTest {
    /** A 10x14 sample whose labels form vertical stripes of 0, 3, 7 and a column of 255. */
    private static SegSample sample() {
        int h = 10, w = 14;
        float[] image = new float[3 * h * w];
        int[] labels = new int[h * w];
        Random r = new Random(1);
        for (int i = 0; i < image.length; i++) {
            image[i] = r.nextFloat();
        }
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                labels[y * w + x] = x == 13 ? 255 : x < 4 ? 0 : x < 9 ? 3 : 7;
            }
        }
        return new SegSample("s", h, w, image, labels);
    }

    private static Set<Integer> values(int[] labels) {
        return Arrays.stream(labels).boxed().collect(Collectors.toSet());
    }

    @Test
    void scaleResamplesLabelsByNearestNeighbourOnly() {
        SegSample in = sample();
        for (long seed = 0; seed < 20; seed++) {
            SegSample out = JointTransform.randomScale(0.5f, 2.0f).apply(in, new Random(seed));
            assertTrue(values(in.labels()).containsAll(values(out.labels())), "invented label in " + values(out.labels()));
            assertEquals(out.height() * out.width() * 3, out.image().length);
            for (float v : out.image()) {
                assertTrue(v >= 0 && v <= 1);
            }
        }
        // exact 2x upscale: every label becomes a 2x2 block
        SegSample twice = new RandomScale(2f, 2f).apply(in, new Random(0));
        assertEquals(20, twice.height());
        assertEquals(28, twice.width());
        for (int y = 0; y < 20; y++) {
            for (int x = 0; x < 28; x++) {
                assertEquals(in.labels()[(y / 2) * 14 + x / 2], twice.labels()[y * 28 + x]);
            }
        }
    }

    @Test
    void cropPadsLabelsWithIgnoreAndImageWithThePadColour() {
        SegSample in = sample();
        SegSample out = JointTransform.randomCrop(16, 20, new float[] {0.25f, 0.5f, 0.75f}).apply(in, new Random(3));
        assertEquals(16, out.height());
        assertEquals(20, out.width());
        // source is 10x14: it is placed top-left, rows 10.. and columns 14.. are padding
        for (int y = 0; y < 16; y++) {
            for (int x = 0; x < 20; x++) {
                if (y >= 10 || x >= 14) {
                    assertEquals(255, out.labels()[y * 20 + x]);
                    assertEquals(0.25f, out.image()[y * 20 + x]);
                    assertEquals(0.75f, out.image()[2 * 320 + y * 20 + x]);
                } else {
                    assertEquals(in.labels()[y * 14 + x], out.labels()[y * 20 + x]);
                    assertEquals(in.image()[140 + y * 14 + x], out.image()[320 + y * 20 + x]);
                }
            }
        }
        SegSample zeroPad = JointTransform.randomCrop(12, 12).apply(in, new Random(0));
        assertEquals(0f, zeroPad.image()[11 * 12]);
    }

    @Test
    void cropOfALargerSampleIsAWindowOfIt() {
        SegSample in = sample();
        SegSample out = JointTransform.randomCrop(4, 5).apply(in, new Random(11));
        assertFalse(values(out.labels()).isEmpty());
        // find the window: the crop must equal in at some offset
        boolean found = false;
        for (int top = 0; top <= 6 && !found; top++) {
            for (int left = 0; left <= 9 && !found; left++) {
                boolean same = true;
                for (int y = 0; y < 4 && same; y++) {
                    for (int x = 0; x < 5 && same; x++) {
                        same = in.image()[(top + y) * 14 + left + x] == out.image()[y * 5 + x]
                                && in.labels()[(top + y) * 14 + left + x] == out.labels()[y * 5 + x];
                    }
                }
                found = same;
            }
        }
        assertTrue(found);
    }

    @Test
    void flipTwiceIsIdentityAndFlipMirrors() {
        SegSample in = sample();
        SegSample once = HorizontalFlip.flip(in);
        assertEquals(255, once.labels()[0]);
        assertEquals(0, once.labels()[13]);
        assertEquals(in.image()[5], once.image()[8]);
        SegSample twice = JointTransform.horizontalFlip(1.0).apply(once, new Random(0));
        assertArrayEquals(in.image(), twice.image());
        assertArrayEquals(in.labels(), twice.labels());
        assertSame(in, JointTransform.horizontalFlip(0.0).apply(in, new Random(0)));
    }

    @Test
    void sameSeedGivesSameOutputAndInputIsUntouched() {
        SegSample in = sample();
        float[] imageBefore = in.image().clone();
        JointTransform t = JointTransform.compose(
                JointTransform.randomScale(0.5f, 2f), JointTransform.randomCrop(8, 8), JointTransform.horizontalFlip(0.5));
        SegSample a = t.apply(in, new Random(42));
        SegSample b = t.apply(in, new Random(42));
        assertArrayEquals(a.image(), b.image());
        assertArrayEquals(a.labels(), b.labels());
        assertEquals(8, a.height());
        assertEquals(8, a.width());
        assertArrayEquals(imageBefore, in.image());
        boolean anyDifferent = false;
        for (long seed = 0; seed < 10 && !anyDifferent; seed++) {
            anyDifferent = !Arrays.equals(a.labels(), t.apply(in, new Random(seed)).labels())
                    || !Arrays.equals(a.image(), t.apply(in, new Random(seed)).image());
        }
        assertTrue(anyDifferent, "different seeds should give different crops");
    }
}
