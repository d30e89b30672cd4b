package org.robustseg.examples;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.robustseg.attack.Norm;
import org.robustseg.data.ClassSet;
import org.robustseg.data.DataSets;
import org.robustseg.data.FashionScenes;
import org.robustseg.data.SegSample;
import org.robustseg.data.Split;
import org.robustseg.engine.OwnedArrays;
import org.robustseg.model.SegmentationModel;
import org.robustseg.provenance.Checkpoint;
import org.robustseg.synth.Editing;
import org.robustseg.synth.Fill;
import org.robustseg.synth.Hole;
import org.robustseg.synth.Inpainting;
import org.robustseg.synth.Synthesis;
import org.robustseg.synth.SynthesisResult;

/**
 * Inpaints a bag into a hole of a validation scene, then edits the scene's largest shirt into a
 * bag. Usage: {@code InpaintExample [DATA_DIR [CHECKPOINT]]}.
 */
public final class InpaintExample {
    private InpaintExample() {}

    /**
     * What {@link #inpaint} returns.
     *
     * @param inpainted the scene with a bag inpainted into the hole
     * @param edited the scene with its largest shirt turned into a bag (null when it has no shirt)
     */
    public record Results(SynthesisResult inpainted, SynthesisResult edited) {}

    // tag::inpaint[]
    static final ClassSet CLASSES = FashionScenes.classes();   // classes by name, not by id
    static final int BAG = CLASSES.id("bag");
    static final int SHIRT = CLASSES.id("shirt");

    /** Inpaints a bag into the first validation scene, then turns its largest shirt into a bag. */
    public static Results inpaint(Path data, Path checkpoint, int steps) {
        SegSample scene = DataSets.open(data, Split.VAL).get(0);
        try (SegmentationModel robust = Checkpoint.load(checkpoint); NDManager manager = robust.manager().newSubManager()) {
            NDArray image = OwnedArrays.of(manager, scene.image(), new Shape(1, 3, scene.height(), scene.width()));
            Inpainting inpaint = Synthesis.inpainting().norm(Norm.L2).eps(8).stepSize(0.25f).steps(steps).fill(Fill.MEAN);
            List<Hole> holes = List.of(Hole.box(20, 20, 22, 22, scene.height(), scene.width()));   // x, y, w, h
            // the target: the model's own prediction outside the hole, a bag inside it
            int[] target = inpaint.targetFromPrediction(robust, image, holes, BAG, 0);
            SynthesisResult inpainted = inpaint.run(robust, image, holes,
                    OwnedArrays.of(manager, target, new Shape(1, scene.height(), scene.width())));

            // semantic editing: the largest shirt becomes a bag, repainted only inside its own outline
            Editing edit = Synthesis.editing();
            edit = edit.inpainting(edit.inpainting().steps(steps));      // each setter returns a modified copy
            boolean hasShirt = Arrays.stream(scene.labels()).anyMatch(c -> c == SHIRT);
            SynthesisResult edited = hasShirt ? edit.run(robust, image, scene.labels(), SHIRT, BAG) : null;
            return new Results(inpainted, edited);
        }
    }
    // end::inpaint[]

    public static void main(String[] args) {
        Results r = inpaint(Path.of(args.length > 0 ? args[0] : "runs/demo/data"),
                Path.of(args.length > 1 ? args[1] : "runs/demo/models/robust"), 60);
        System.out.printf("inpainting: CE %.3f -> %.3f%n", r.inpainted().lossBefore()[0], r.inpainted().lossAfter()[0]);
        if (r.edited() != null) {
            System.out.printf("editing:    CE %.3f -> %.3f%n", r.edited().lossBefore()[0], r.edited().lossAfter()[0]);
        }
    }
}
