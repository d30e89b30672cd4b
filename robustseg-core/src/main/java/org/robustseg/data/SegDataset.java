package org.robustseg.data;

/**
 * A random-access segmentation data set: the one view of data that training, evaluation,
 * attacks and synthesis consume. Implementations load lazily or eagerly as they see fit but
 * must be safe to read from several threads.
 */
public interface SegDataset {
    /** A human-readable identity, e.g. "fashion-scenes/val". */
    String name();

    int size();

    /** Loads sample {@code index}; errors name the offending file. */
    SegSample get(int index);

    /** The id of sample {@code index}, without decoding it where the data set can (files are named by id). */
    default String id(int index) {
        return get(index).id();
    }

    ClassSet classes();

    /** A content hash identifying the data (for provenance); stable across runs. */
    String contentHash();
}
