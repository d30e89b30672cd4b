package org.robustseg.examples;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import java.util.Arrays;
import org.robustseg.ProgressListener;
import org.robustseg.data.DataSets;
import org.robustseg.data.FashionScenes;
import org.robustseg.data.Split;
import org.robustseg.engine.OwnedArrays;
import org.robustseg.model.SegmentationModel;
import org.robustseg.optim.Box;
import org.robustseg.provenance.Checkpoint;
import org.robustseg.synth.ColourStatistics;
import org.robustseg.synth.SeedImage;
import org.robustseg.synth.Synthesis;
import org.robustseg.synth.SynthesisResult;

/**
 * Generates an image for a requested label layout (a sneaker on background) from a seed drawn
 * from the training set's colour statistics. Usage: {@code GenerateExample [DATA_DIR [CHECKPOINT]]}.
 */
public final class GenerateExample {
    private GenerateExample() {}

    // tag::generate[]
    static final int BACKGROUND = FashionScenes.classes().id("background");
    static final int SNEAKER = FashionScenes.classes().id("sneaker");

    /** Generates one 64×64 image with a sneaker in the middle, in {@code steps} steps. */
    public static SynthesisResult generate(Path data, Path checkpoint, int steps) {
        ColourStatistics stats = ColourStatistics.fit(DataSets.open(data, Split.TRAIN), ProgressListener.NONE);
        int size = FashionScenes.SIZE;
        int[] layout = new int[size * size];                      // one image: background, a sneaker in a box
        Arrays.fill(layout, BACKGROUND);
        boolean[] sneaker = new Box(16, 16, 32, 32).pixels(size, size);   // x, y, w, h
        for (int p = 0; p < layout.length; p++) {
            layout[p] = sneaker[p] ? SNEAKER : layout[p];
        }
        try (SegmentationModel robust = Checkpoint.load(checkpoint); NDManager manager = robust.manager().newSubManager()) {
            return Synthesis.generation(stats).seedImage(SeedImage.GAUSSIAN_LOWRES).steps(steps)
                    .run(robust, OwnedArrays.of(manager, layout, new Shape(1, size, size)));
        }
    }
    // end::generate[]

    public static void main(String[] args) {
        SynthesisResult r = generate(Path.of(args.length > 0 ? args[0] : "runs/demo/data"),
                Path.of(args.length > 1 ? args[1] : "runs/demo/models/robust"), 100);
        System.out.printf("generation: CE to the layout %.3f -> %.3f%n", r.lossBefore()[0], r.lossAfter()[0]);
    }
}
