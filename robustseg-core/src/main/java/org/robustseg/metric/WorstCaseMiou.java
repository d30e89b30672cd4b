package org.robustseg.metric;

import java.util.List;

/**
 * SEA's worst-case mIoU (Croce, Singh &amp; Hein 2023; their {@code worse_only.py}): the data-set
 * mIoU is not a sum over images, so the worst case per image by accuracy (which gives SEA's aACC)
 * need not give the lowest mIoU. Given every member's per-image results on the same images, this
 * chooses per image the member whose prediction to count so that the data-set mIoU is as low as a
 * coordinate descent finds: start from the lowest of the per-accuracy choice and each member alone,
 * then sweep the images in order, switching an image to another member whenever that lowers the
 * mIoU, until a sweep changes nothing. The authors sweep in a random order from their first member;
 * a fixed order and the best of these starts make the result deterministic and never above any
 * member's own mIoU or the per-accuracy choice.
 */
public final class WorstCaseMiou {
    private WorstCaseMiou() {}

    /**
     * A choice of member per image and the confusion matrix it gives.
     *
     * @param member per image, the index of the member counted
     * @param confusion the data-set confusion matrix of that choice
     * @param sweeps sweeps of the coordinate descent (the last one changed nothing)
     */
    public record Selection(int[] member, ConfusionMatrix confusion, int sweeps) {
        public double miou() {
            return confusion.meanIou();
        }
    }

    /**
     * The selection for members' figures on the same images ({@code members.get(k)} evaluated member
     * k), over the images at {@code images} (null: all), starting also from {@code start} (per image
     * of all images, e.g. the per-accuracy choice; may be null). The selection's arrays are indexed
     * like {@code images}.
     */
    public static Selection select(List<ImageMetrics> members, int[] start, int[] images) {
        int all = members.get(0).images();
        int c = members.get(0).classes();
        for (ImageMetrics m : members) {
            if (m.images() != all || m.classes() != c) {
                throw new IllegalArgumentException("members evaluated on different images or classes: " + m.images() + " vs " + all);
            }
        }
        int[] ids = images != null ? images.clone() : java.util.stream.IntStream.range(0, all).toArray();
        int n = ids.length;
        // per member and image: intersection and union per class
        long[][][] inter = new long[members.size()][n][];
        long[][][] union = new long[members.size()][n][];
        for (int k = 0; k < members.size(); k++) {
            for (int i = 0; i < n; i++) {
                long[][] iu = interUnion(members.get(k).cells(ids[i]), c);
                inter[k][i] = iu[0];
                union[k][i] = iu[1];
            }
        }
        int[] best = null;
        double bestMiou = Double.POSITIVE_INFINITY;
        int starts = members.size() + (start == null ? 0 : 1);
        for (int s = 0; s < starts; s++) {
            int[] choice = new int[n];
            if (s < members.size()) {
                java.util.Arrays.fill(choice, s);
            } else {
                for (int i = 0; i < n; i++) {
                    choice[i] = start[ids[i]];
                }
            }
            double m = miou(total(inter, choice, c), total(union, choice, c));
            if (m < bestMiou) {
                bestMiou = m;
                best = choice;
            }
        }
        long[] in = total(inter, best, c);
        long[] un = total(union, best, c);
        double current = miou(in, un);
        int sweeps = 0;
        boolean changed = true;
        while (changed) {
            changed = false;
            sweeps++;
            for (int i = 0; i < n; i++) {
                for (int k = 0; k < members.size(); k++) {
                    if (k == best[i]) {
                        continue;
                    }
                    long[] in2 = in.clone();
                    long[] un2 = un.clone();
                    for (int cl = 0; cl < c; cl++) {
                        in2[cl] += inter[k][i][cl] - inter[best[i]][i][cl];
                        un2[cl] += union[k][i][cl] - union[best[i]][i][cl];
                    }
                    double m = miou(in2, un2);
                    if (m < current - 1e-12) {
                        current = m;
                        in = in2;
                        un = un2;
                        best[i] = k;
                        changed = true;
                    }
                }
            }
        }
        ConfusionMatrix cm = new ConfusionMatrix(c);
        for (int i = 0; i < n; i++) {
            int[] cells = members.get(best[i]).cells(ids[i]);
            for (int q = 0; q < cells.length; q += 2) {
                cm.add(cells[q] / c, cells[q] % c, cells[q + 1]);
            }
        }
        return new Selection(best, cm, sweeps);
    }

    private static long[][] interUnion(int[] cells, int c) {
        long[] in = new long[c];
        long[] rows = new long[c];
        long[] cols = new long[c];
        for (int q = 0; q < cells.length; q += 2) {
            int label = cells[q] / c;
            int pred = cells[q] % c;
            rows[label] += cells[q + 1];
            cols[pred] += cells[q + 1];
            if (label == pred) {
                in[label] += cells[q + 1];
            }
        }
        long[] un = new long[c];
        for (int k = 0; k < c; k++) {
            un[k] = rows[k] + cols[k] - in[k];
        }
        return new long[][] {in, un};
    }

    private static long[] total(long[][][] perImage, int[] choice, int c) {
        long[] t = new long[c];
        for (int i = 0; i < choice.length; i++) {
            for (int k = 0; k < c; k++) {
                t[k] += perImage[choice[i]][i][k];
            }
        }
        return t;
    }

    /** Mean IoU over classes with a non-empty union, as {@link ConfusionMatrix#meanIou}. */
    static double miou(long[] inter, long[] union) {
        double sum = 0;
        int present = 0;
        for (int k = 0; k < inter.length; k++) {
            if (union[k] > 0) {
                sum += (double) inter[k] / union[k];
                present++;
            }
        }
        return present == 0 ? Double.NaN : sum / present;
    }
}
