package org.robustseg.data;

import java.nio.file.Files;
import java.nio.file.Path;

/** Opens a data directory whatever its layout (Pascal VOC / FashionScenes, or Cityscapes). */
public final class DataSets {
    private DataSets() {}

    /** The split of the data set in {@code root}; the layout is recognised from its folders. */
    public static SegDataset open(Path root, Split split) {
        if (!Files.isDirectory(root)) {
            throw new DataException("data directory " + root + " does not exist (build one with './run data fashion-scenes --out "
                    + root + "')");
        }
        if (Files.isDirectory(root.resolve(CityscapesLayout.IMAGES_DIR))) {
            return CityscapesLayout.open(root, split);
        }
        return VocLayout.open(root, split);
    }

    /** Loads every sample once into memory (in parallel) for fast repeated epochs. */
    public static SegDataset inMemory(SegDataset data) {
        return InMemoryDataset.of(data);
    }

    /**
     * {@code n} samples spread evenly over {@code data}: sample ⌊i·size/n⌋ for i = 0..n−1 (all of
     * them if it has at most n). A fixed, documented choice for the expensive attacks (published
     * SEA): unlike the first n, it samples the whole split when a split is ordered (Cityscapes by
     * city), and it is the same on every run and machine.
     */
    public static SegDataset evenlySpaced(SegDataset data, int n) {
        if (n < 1) {
            throw new IllegalArgumentException("the number of images must be at least 1, got " + n);
        }
        if (n >= data.size()) {
            return data;
        }
        return subset(data, evenlySpacedIndices(data.size(), n), "evenly spaced " + n);
    }

    /** The indices ⌊i·size/n⌋, i = 0..n−1 ({@link #evenlySpaced}); all of 0..size−1 if n ≥ size. */
    public static int[] evenlySpacedIndices(int size, int n) {
        int k = Math.min(n, size);
        int[] ids = new int[k];
        for (int i = 0; i < k; i++) {
            ids[i] = (int) ((long) i * size / k);
        }
        return ids;
    }

    /** The samples of {@code data} at {@code indices}, in that order; {@code label} names the choice in name and hash. */
    public static SegDataset subset(SegDataset data, int[] indices, String label) {
        int[] ids = indices.clone();
        for (int i : ids) {
            java.util.Objects.checkIndex(i, data.size());
        }
        return new SegDataset() {
            @Override
            public String name() {
                return data.name() + "[" + label + "]";
            }

            @Override
            public int size() {
                return ids.length;
            }

            @Override
            public SegSample get(int index) {
                return data.get(ids[java.util.Objects.checkIndex(index, ids.length)]);
            }

            @Override
            public ClassSet classes() {
                return data.classes();
            }

            @Override
            public String contentHash() {
                return data.contentHash() + "[" + label + "]";
            }
        };
    }

    /** The first {@code n} samples of {@code data} (all of them if it has fewer). */
    public static SegDataset first(SegDataset data, int n) {
        if (n < 1) {
            throw new IllegalArgumentException("--limit must be at least 1, got " + n);
        }
        if (n >= data.size()) {
            return data;
        }
        return new SegDataset() {
            @Override
            public String name() {
                return data.name() + "[:" + n + "]";
            }

            @Override
            public int size() {
                return n;
            }

            @Override
            public SegSample get(int index) {
                return data.get(java.util.Objects.checkIndex(index, n));
            }

            @Override
            public String id(int index) {
                return data.id(java.util.Objects.checkIndex(index, n));
            }

            @Override
            public ClassSet classes() {
                return data.classes();
            }

            @Override
            public String contentHash() {
                return data.contentHash() + "[:" + n + "]";
            }
        };
    }
}
