package org.robustseg.bench;

import java.nio.file.Path;
import org.robustseg.data.DataSets;
import org.robustseg.data.FashionScenes;
import org.robustseg.data.SegDataset;
import org.robustseg.data.Split;

/** A small FashionScenes training split for the benchmarks, written under a scratch directory and decoded into memory. */
public final class ScratchScenes {
    private ScratchScenes() {}

    /** Writes {@code scenes} training scenes (seed 0) to {@code dir}/data and returns them loaded into memory. */
    static SegDataset training(Path dir, int scenes) {
        FashionScenes.builder().trainSize(scenes).valSize(0).seed(0).build().write(dir.resolve("data"));
        return DataSets.inMemory(DataSets.open(dir.resolve("data"), Split.TRAIN));
    }
}
