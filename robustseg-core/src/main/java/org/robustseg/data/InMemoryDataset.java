package org.robustseg.data;

import java.util.stream.IntStream;

/**
 * A data set decoded once into memory, for training loops that read every sample many times.
 * {@link #get} returns a fresh copy so callers may modify what they receive.
 */
public final class InMemoryDataset implements SegDataset {
    private final SegDataset source;
    private final SegSample[] samples;

    private InMemoryDataset(SegDataset source, SegSample[] samples) {
        this.source = source;
        this.samples = samples;
    }

    /** Loads every sample of {@code source} (in parallel); any decoding error surfaces here. */
    public static InMemoryDataset of(SegDataset source) {
        if (source instanceof InMemoryDataset cached) {
            return cached;
        }
        SegSample[] samples = IntStream.range(0, source.size()).parallel()
                .mapToObj(source::get)
                .toArray(SegSample[]::new);
        return new InMemoryDataset(source, samples);
    }

    @Override
    public String name() {
        return source.name();
    }

    @Override
    public int size() {
        return samples.length;
    }

    @Override
    public SegSample get(int index) {
        SegSample s = samples[index];
        return new SegSample(s.id(), s.height(), s.width(), s.image().clone(), s.labels().clone());
    }

    @Override
    public ClassSet classes() {
        return source.classes();
    }

    @Override
    public String contentHash() {
        return source.contentHash();
    }
}
