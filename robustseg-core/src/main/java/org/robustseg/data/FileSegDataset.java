package org.robustseg.data;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.List;
import java.util.function.IntUnaryOperator;

/**
 * A data set of image/label file pairs, decoded on every {@link #get}. Both directory layouts
 * (VOC, Cityscapes) produce one of these, so decoding and validation live here only. Instances
 * are immutable apart from the lazily computed hash, hence safe for concurrent reads.
 */
final class FileSegDataset implements SegDataset {
    /** One sample's files. */
    record Entry(String id, Path image, Path labels) {}

    private final String name;
    private final List<Entry> entries;
    private final ClassSet classes;
    private final IntUnaryOperator rawToClass;
    private volatile String contentHash;

    /**
     * @param rawToClass maps a stored label value to a class id (or 255); its result is validated
     * @param knownHash the content hash if a manifest already states it, else null (computed on demand)
     */
    FileSegDataset(String name, List<Entry> entries, ClassSet classes, IntUnaryOperator rawToClass, String knownHash) {
        this.name = name;
        this.entries = List.copyOf(entries);
        this.classes = classes;
        this.rawToClass = rawToClass;
        this.contentHash = knownHash;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int size() {
        return entries.size();
    }

    @Override
    public ClassSet classes() {
        return classes;
    }

    @Override
    public String id(int index) {
        return entries.get(index).id();
    }

    @Override
    public SegSample get(int index) {
        Entry e = entries.get(index);
        BufferedImage image = Images.read(e.image());
        LabelMap raw = LabelMaps.read(e.labels());
        if (raw.height() != image.getHeight() || raw.width() != image.getWidth()) {
            throw new DataException(e.labels() + ": label map is " + raw.height() + "x" + raw.width()
                    + " (HxW) but its image " + e.image().getFileName() + " is " + image.getHeight() + "x" + image.getWidth());
        }
        return new SegSample(e.id(), raw.height(), raw.width(), Images.toChw(image), toClassIds(raw, e.labels()));
    }

    /** Maps stored values to class ids and rejects any id outside 0..C-1 that is not the ignore label. */
    private int[] toClassIds(LabelMap raw, Path file) {
        int[] values = raw.values();
        int[] ids = new int[values.length];
        int classCount = classes.size();
        for (int i = 0; i < values.length; i++) {
            int id = rawToClass.applyAsInt(values[i]);
            if ((id < 0 || id >= classCount) && id != SegSample.IGNORE) {
                throw new DataException(file + ": label value " + values[i] + " at (x=" + i % raw.width() + ", y="
                        + i / raw.width() + ") is not a class id of this " + classCount + "-class data set (0.."
                        + (classCount - 1) + ") nor " + SegSample.IGNORE + " (ignore)");
            }
            ids[i] = id;
        }
        return ids;
    }

    /** SHA-256 over each entry's image bytes then label bytes, in order; computed once on first use. */
    @Override
    public String contentHash() {
        String h = contentHash;
        if (h == null) {
            synchronized (this) {
                h = contentHash;
                if (h == null) {
                    MessageDigest digest = ContentHash.sha256();
                    for (Entry e : entries) {
                        ContentHash.update(digest, e.image());
                        ContentHash.update(digest, e.labels());
                    }
                    contentHash = h = ContentHash.hex(digest);
                }
            }
        }
        return h;
    }

    @Override
    public String toString() {
        return name + " (" + size() + " samples, " + classes.size() + " classes)";
    }
}
