package org.robustseg.cli.synthesis;

import org.robustseg.report.ImageGrid;

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
import org.robustseg.synth.Synthesis;
import org.robustseg.synth.SynthesisResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./run edit ...}: turn one object of an image into another class, inside the object's own mask. */
@Command(name = "edit", mixinStandardHelpOptions = true,
        description = "Semantic editing: repaint the largest object of class --from as class --to, only inside its mask.")
public final class EditCommand implements Callable<Integer> {
    @Option(names = "--checkpoint", required = true, description = "Checkpoint file or run directory.")
    Path checkpoint;

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

    @Option(names = "--fill", defaultValue = "none", description = "Start of the object's pixels: none, mean, noise or blur (default ${DEFAULT-VALUE}).")
    String fill;

    @Option(names = "--norm", defaultValue = "l2", description = "l2, linf or unconstrained (default ${DEFAULT-VALUE}).")
    String norm;

    @Option(names = "--eps", defaultValue = "10", description = "Ball radius (default ${DEFAULT-VALUE}).")
    float eps;

    @Option(names = "--steps", defaultValue = "100", description = "Iterations (default ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--step-size", defaultValue = "0.25", description = "Normalised step length (default ${DEFAULT-VALUE}).")
    float stepSize;

    @Option(names = "--grow", defaultValue = "1", description = "Grow the object's region by this many pixels (default ${DEFAULT-VALUE}).")
    int grow;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of a noise fill (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--out", required = true, description = "Output directory.")
    Path out;

    @Override
    public Integer call() {
        Checkpoint ckpt = Checkpoint.open(checkpoint);
        ClassSet classes = SynthSupport.classes(ckpt, data);
        int a = SynthSupport.parseClass(from, classes, "--from");
        int b = SynthSupport.parseClass(to, classes, "--to");
        SegSample img = SynthSupport.readRgb(image);
        int h = img.height();
        int w = img.width();
        int[] lab = SynthSupport.readLabels(labels, h, w, classes.size());
        Editing edit = Synthesis.editing().grow(grow).inpainting(Synthesis.inpainting().fill(Fill.parse(fill)).norm(norm).eps(eps)
                .steps(steps).stepSize(stepSize).dilate(2).seed(seed));
        try (SegmentationModel model = SynthSupport.load(ckpt, classes.size(), "checkpoint");
                NDManager m = model.manager().newSubManager()) {
            SynthesisResult r;
            try {
                r = edit.run(model, m.create(img.image(), new Shape(1, 3, h, w)), lab, a, b);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(labels + ": " + e.getMessage());
            }
            SynthSupport.writeImage(out.resolve("0000_original.png"), img.image(), h, w);
            SynthSupport.writeMask(out.resolve("0000_mask.png"), r.region(0));
            SynthSupport.writeImage(out.resolve("0000_result.png"), r.image(0), h, w);
            SynthSupport.writeLabels(out.resolve("0000_labels.png"), r.target(0), h, w, classes);
            ImageGrid grid = new ImageGrid(List.of("original", "labels", "target", "result", "prediction"), 3);
            grid.addRow("", List.of(ImageGrid.image(img.image(), h, w), ImageGrid.labels(lab, h, w, classes),
                    ImageGrid.labels(r.target(0), h, w, classes), ImageGrid.image(r.image(0), h, w),
                    ImageGrid.labels(r.prediction(0), h, w, classes)));
            grid.write(out.resolve("grid.png"));
            ObjectNode json = Json.object();
            ObjectNode e = SynthSupport.imageEntry(r, 0, img.id(), -1);
            e.put("from", classes.names().get(a));
            e.put("to", classes.names().get(b));
            e.put("region_pixels", r.region(0).count());
            SynthSupport.putNumber(e, "psnr_region", PagMetrics.maskedPsnr(r.image(0), img.image(), r.region(0).pixels()));
            json.set("summary", e);
            json.set("settings", Json.toTree(edit.settings()));
            ObjectNode inputs = Json.object();
            inputs.put("image", image.toAbsolutePath().toString());
            inputs.put("labels", labels.toAbsolutePath().toString());
            json.set("provenance", Provenance.of("edit").config(edit.settings()).seed(seed)
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
