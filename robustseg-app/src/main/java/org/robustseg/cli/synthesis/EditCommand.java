package org.robustseg.cli.synthesis;

import org.robustseg.cli.options.CheckpointFile;
import org.robustseg.cli.options.ClassNames;
import org.robustseg.cli.options.OutputDirectory;
import org.robustseg.cli.options.Seed;
import org.robustseg.engine.OwnedArrays;
import org.robustseg.report.ImageGrid;
import org.robustseg.report.SynthesisFiles;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.robustseg.data.ClassSet;
import org.robustseg.data.SegSample;
import org.robustseg.metric.PagMetrics;
import org.robustseg.model.SegmentationModel;
import org.robustseg.provenance.Checkpoint;
import org.robustseg.provenance.Json;
import org.robustseg.provenance.Provenance;
import org.robustseg.synth.Editing;
import org.robustseg.synth.Fill;
import org.robustseg.synth.Inpainting;
import org.robustseg.synth.Synthesis;
import org.robustseg.synth.SynthesisResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ./run edit ...}: turn one object of an image into another class, inside the object's own mask. */
@Command(name = "edit", mixinStandardHelpOptions = true,
        description = "Semantic editing: repaint the largest object of class --from as class --to, only inside its mask.")
public final class EditCommand implements Callable<Integer> {
    @Mixin
    CheckpointFile checkpoint;

    @Option(names = "--image", required = true, description = "The image (PNG/JPEG, RGB).")
    Path image;

    @Option(names = "--labels", required = true, description = "Its label map (palette or gray PNG).")
    Path labels;

    @Option(names = "--from", required = true, description = "Class of the object to change (name or id).")
    String from;

    @Option(names = "--to", required = true, description = "Class it should become (name or id).")
    String to;

    @Option(names = "--data", description = "Data directory, for the class names (default: FashionScenes' for a FashionScenes checkpoint).")
    Path data;

    @Option(names = "--fill", defaultValue = Editing.DEFAULT_FILL, description = "Start of the object's pixels: none, mean, noise or blur (default ${DEFAULT-VALUE}).")
    String fill;

    @Option(names = "--norm", defaultValue = Inpainting.DEFAULT_NORM, description = "l2, linf or unconstrained (default ${DEFAULT-VALUE}).")
    String norm;

    @Option(names = "--eps", defaultValue = "" + Editing.DEFAULT_EPS, description = "Ball radius (default ${DEFAULT-VALUE}).")
    float eps;

    @Option(names = "--steps", defaultValue = "" + Editing.DEFAULT_STEPS, description = "Iterations (default ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--step-size", defaultValue = "" + Editing.DEFAULT_STEP_SIZE, description = "Normalised step length (default ${DEFAULT-VALUE}).")
    float stepSize;

    @Option(names = "--grow", defaultValue = "" + Editing.DEFAULT_GROW, description = "Grow the object's region by this many pixels (default ${DEFAULT-VALUE}).")
    int grow;

    @Mixin
    Seed seed;

    @Mixin
    OutputDirectory out;

    @Override
    public Integer call() {
        Checkpoint ckpt = checkpoint.open().requireGradients("synthesis"); // before any file is written
        ClassSet classes = ClassNames.of(ckpt, data);
        int a = ClassNames.parse(from, classes, "--from");
        int b = ClassNames.parse(to, classes, "--to");
        SegSample img = InputFiles.rgb(image);
        int h = img.height();
        int w = img.width();
        int[] lab = InputFiles.labels(labels, h, w, classes.size());
        Editing edit = Synthesis.editing().grow(grow);
        edit = edit.inpainting(edit.inpainting().fill(Fill.parse(fill)).norm(norm).eps(eps).steps(steps).stepSize(stepSize)
                .seed(seed.get())); // the loss region's dilation stays Editing's
        try (SegmentationModel model = InputFiles.model(ckpt, classes.size(), "checkpoint");
                NDManager m = model.manager().newSubManager()) {
            SynthesisResult r;
            try {
                r = edit.run(model, OwnedArrays.of(m, img.image(), new Shape(1, 3, h, w)), lab, a, b);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(labels + ": " + e.getMessage());
            }
            SynthesisFiles.writeImage(out.resolve("0000_original.png"), img.image(), h, w);
            SynthesisFiles.writeMask(out.resolve("0000_mask.png"), r.region(0));
            SynthesisFiles.writeImage(out.resolve("0000_result.png"), r.image(0), h, w);
            SynthesisFiles.writeLabels(out.resolve("0000_labels.png"), r.target(0), h, w, classes);
            ImageGrid grid = new ImageGrid(List.of("original", "labels", "target", "result", "prediction"), 3);
            grid.addRow("", List.of(ImageGrid.image(img.image(), h, w), ImageGrid.labels(lab, h, w, classes),
                    ImageGrid.labels(r.target(0), h, w, classes), ImageGrid.image(r.image(0), h, w),
                    ImageGrid.labels(r.prediction(0), h, w, classes)));
            grid.write(out.resolve("grid.png"));
            ObjectNode json = Json.object();
            ObjectNode e = ResultJson.imageEntry(r, 0, img.id(), -1);
            e.put("from", classes.names().get(a));
            e.put("to", classes.names().get(b));
            e.put("region_pixels", r.region(0).count());
            ResultJson.putNumber(e, "psnr_region", PagMetrics.maskedPsnr(r.image(0), img.image(), r.region(0).pixels()));
            json.set("summary", e);
            json.set("settings", Json.toTree(edit.settings()));
            ObjectNode inputs = Json.object();
            inputs.put("image", image.toAbsolutePath().toString());
            inputs.put("labels", labels.toAbsolutePath().toString());
            json.set("provenance", Provenance.of("edit").config(edit.settings()).seed(seed.get())
                    .put("checkpoint", ckpt.identity()).put("inputs", inputs).toJson());
            Json.write(out.resolve("metrics.json"), json);
            System.out.printf("edited %s -> %s (%d pixels): the model now reads %.3f of the object as %s; CE %.3f -> %.3f%n",
                    classes.names().get(a), classes.names().get(b), r.region(0).count(), e.path("self_accuracy").asDouble(),
                    classes.names().get(b), r.lossBefore()[0], r.lossAfter()[0]);
            System.out.println("wrote " + out.resolve("metrics.json") + ", grid.png and 0000_{original,mask,result,labels}.png");
        }
        return 0;
    }
}
