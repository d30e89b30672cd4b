package org.robustseg.synth;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.List;
import org.robustseg.data.DataException;
import org.robustseg.data.Images;
import org.robustseg.engine.OwnedArrays;
import org.robustseg.optim.Box;
import org.robustseg.optim.Mask;

/**
 * A binary region of one H×W image: the hole to inpaint, or the object to edit. Immutable;
 * {@code true} = inside. Unlike {@link Mask} (a description resolved against a batch), a hole
 * knows its image size, so a hole of the wrong size or an empty hole is refused where it is made.
 */
public final class Hole {
    private final int height;
    private final int width;
    private final boolean[] inside;

    /** A hole from a row-major H×W array (copied). */
    public Hole(int height, int width, boolean[] inside) {
        if (height < 1 || width < 1 || inside.length != height * width) {
            throw new IllegalArgumentException("hole of " + inside.length + " pixels does not match " + height + "x" + width);
        }
        this.height = height;
        this.width = width;
        this.inside = inside.clone();
    }

    /**
     * The rectangle with top-left corner column {@code x}, row {@code y}, {@code w} wide and
     * {@code h} high, in an image of {@code height}×{@code width} (the {@link Box} convention, as
     * {@link Mask#box}); it must lie inside the image and not be empty.
     */
    public static Hole box(int x, int y, int w, int h, int height, int width) {
        return new Hole(height, width, Box.inside(x, y, w, h, height, width).pixels(height, width));
    }

    /**
     * A square of side {@code size} centred on (row, col), shifted as needed to lie inside the
     * image (the data-set mode's hole over the largest object).
     */
    public static Hole centredSquare(int row, int col, int size, int height, int width) {
        int s = Math.min(size, Math.min(height, width));
        int y = Math.max(0, Math.min(height - s, row - s / 2));
        int x = Math.max(0, Math.min(width - s, col - s / 2));
        return box(x, y, s, s, height, width);
    }

    /**
     * Reads a mask image (PNG/JPEG, any colour model): white (gray level above one half) = hole.
     * It must have {@code height}×{@code width} pixels and at least one hole pixel.
     */
    public static Hole read(Path file, int height, int width) {
        BufferedImage img = Images.read(file);
        if (img.getHeight() != height || img.getWidth() != width) {
            throw new DataException(file + ": mask is " + img.getWidth() + "x" + img.getHeight() + " but the image is "
                    + width + "x" + height);
        }
        float[] chw = Images.toChw(img);
        int plane = height * width;
        boolean[] in = new boolean[plane];
        for (int i = 0; i < plane; i++) {
            in[i] = (chw[i] + chw[plane + i] + chw[2 * plane + i]) / 3f > 0.5f;
        }
        Hole hole = new Hole(height, width, in);
        if (hole.count() == 0) {
            throw new DataException(file + ": mask is empty (no white pixel marks a hole)");
        }
        return hole;
    }

    /**
     * The object under pixel (row, col): the 4-connected component of pixels that share its label
     * (what a click on a label map selects).
     */
    public static Hole componentAt(int[] labels, int height, int width, int row, int col) {
        if (row < 0 || row >= height || col < 0 || col >= width) {
            throw new IllegalArgumentException("pixel (x " + col + ", y " + row + ") lies outside the " + width + "x" + height + " label map");
        }
        int cls = labels[row * width + col];
        boolean[] in = new boolean[labels.length];
        ArrayDeque<Integer> queue = new ArrayDeque<>();
        in[row * width + col] = true;
        queue.add(row * width + col);
        while (!queue.isEmpty()) {
            int p = queue.poll();
            int r = p / width;
            int c = p % width;
            int[] nb = {r > 0 ? p - width : -1, r < height - 1 ? p + width : -1, c > 0 ? p - 1 : -1, c < width - 1 ? p + 1 : -1};
            for (int q : nb) {
                if (q >= 0 && !in[q] && labels[q] == cls) {
                    in[q] = true;
                    queue.add(q);
                }
            }
        }
        return new Hole(height, width, in);
    }

    /** The pixels whose label is {@code cls}, only the largest 4-connected component of them. */
    public static Hole largestComponent(int[] labels, int height, int width, int cls) {
        int[] comp = new int[labels.length];
        int best = -1;
        int bestSize = 0;
        int next = 1;
        ArrayDeque<Integer> queue = new ArrayDeque<>();
        for (int start = 0; start < labels.length; start++) {
            if (labels[start] != cls || comp[start] != 0) {
                continue;
            }
            int id = next++;
            int size = 0;
            comp[start] = id;
            queue.add(start);
            while (!queue.isEmpty()) {
                int p = queue.poll();
                size++;
                int r = p / width;
                int c = p % width;
                int[] nb = {r > 0 ? p - width : -1, r < height - 1 ? p + width : -1, c > 0 ? p - 1 : -1, c < width - 1 ? p + 1 : -1};
                for (int q : nb) {
                    if (q >= 0 && comp[q] == 0 && labels[q] == cls) {
                        comp[q] = id;
                        queue.add(q);
                    }
                }
            }
            if (size > bestSize) {
                bestSize = size;
                best = id;
            }
        }
        boolean[] in = new boolean[labels.length];
        for (int i = 0; i < in.length; i++) {
            in[i] = best > 0 && comp[i] == best;
        }
        return new Hole(height, width, in);
    }

    /**
     * The data-set mode's hole: a square of side {@code size} centred on the centre of the
     * bounding box of the largest object (largest 4-connected component of any class other than
     * {@code background}); the image centre when there is no object.
     */
    public static Hole overLargestObject(int[] labels, int height, int width, int size, int background, int numClasses) {
        Hole best = null;
        int bestCount = 0;
        for (int c = 0; c < numClasses; c++) {
            if (c == background) {
                continue;
            }
            Hole h = largestComponent(labels, height, width, c);
            if (h.count() > bestCount) {
                bestCount = h.count();
                best = h;
            }
        }
        if (best == null) {
            return centredSquare(height / 2, width / 2, size, height, width);
        }
        int[] b = best.bounds();
        return centredSquare((b[0] + b[2]) / 2, (b[1] + b[3]) / 2, size, height, width);
    }

    public int height() {
        return height;
    }

    public int width() {
        return width;
    }

    /** Whether pixel (row, col) is inside. */
    public boolean contains(int row, int col) {
        return inside[row * width + col];
    }

    /** A copy of the row-major H×W membership. */
    public boolean[] pixels() {
        return inside.clone();
    }

    /** Number of pixels inside. */
    public int count() {
        int n = 0;
        for (boolean b : inside) {
            n += b ? 1 : 0;
        }
        return n;
    }

    /** Bounding box {top, left, bottom, right} (inclusive) of the inside pixels; null when empty. */
    public int[] bounds() {
        int top = height;
        int left = width;
        int bottom = -1;
        int right = -1;
        for (int r = 0; r < height; r++) {
            for (int c = 0; c < width; c++) {
                if (inside[r * width + c]) {
                    top = Math.min(top, r);
                    bottom = Math.max(bottom, r);
                    left = Math.min(left, c);
                    right = Math.max(right, c);
                }
            }
        }
        return bottom < 0 ? null : new int[] {top, left, bottom, right};
    }

    /** The hole grown by {@code radius} pixels (square neighbourhood, Chebyshev distance), clipped to the image. */
    public Hole dilate(int radius) {
        if (radius < 0) {
            throw new IllegalArgumentException("dilation radius must be >= 0, got " + radius);
        }
        if (radius == 0) {
            return this;
        }
        boolean[] out = new boolean[inside.length];
        for (int r = 0; r < height; r++) {
            for (int c = 0; c < width; c++) {
                if (!inside[r * width + c]) {
                    continue;
                }
                for (int rr = Math.max(0, r - radius); rr <= Math.min(height - 1, r + radius); rr++) {
                    Arrays.fill(out, rr * width + Math.max(0, c - radius), rr * width + Math.min(width - 1, c + radius) + 1, true);
                }
            }
        }
        return new Hole(height, width, out);
    }

    /** Throws when the hole is empty; {@code what} names it in the message. */
    public Hole requireNonEmpty(String what) {
        if (count() == 0) {
            throw new IllegalArgumentException(what + " is empty: it marks no pixel");
        }
        return this;
    }

    /** The mask image as written to disk: white = hole, black elsewhere. */
    public BufferedImage toImage() {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
        int[] v = new int[inside.length];
        for (int i = 0; i < v.length; i++) {
            v[i] = inside[i] ? 255 : 0;
        }
        img.getRaster().setSamples(0, 0, width, height, 0, v);
        return img;
    }

    /** One hole per image as a boolean N×1×H×W array in {@code manager}; all holes must have the same size. */
    public static NDArray stack(NDManager manager, List<Hole> holes) {
        Hole first = holes.get(0);
        boolean[] all = new boolean[holes.size() * first.inside.length];
        for (int i = 0; i < holes.size(); i++) {
            Hole h = holes.get(i);
            if (h.height != first.height || h.width != first.width) {
                throw new IllegalArgumentException("holes of different sizes in one batch: " + first.width + "x" + first.height
                        + " and " + h.width + "x" + h.height);
            }
            System.arraycopy(h.inside, 0, all, i * first.inside.length, first.inside.length);
        }
        return OwnedArrays.of(manager, all, new Shape(holes.size(), 1, first.height, first.width));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Hole h && h.height == height && h.width == width && Arrays.equals(h.inside, inside);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(inside) * 31 + height * 7 + width;
    }

    @Override
    public String toString() {
        return "Hole(" + width + "x" + height + ", " + count() + " pixels)";
    }
}
