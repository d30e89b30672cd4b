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
