package org.robustseg.cli.synthesis;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import org.robustseg.data.DataException;
import org.robustseg.data.Images;
import org.robustseg.data.LabelMap;
import org.robustseg.data.LabelMaps;
import org.robustseg.data.SegSample;
import org.robustseg.model.SegmentationModel;
import org.robustseg.provenance.Checkpoint;

/** The files a user hands a synthesis command (an image, a label map, a checkpoint), checked before any work starts. */
final class InputFiles {
    private InputFiles() {}

    /**
     * Loads a checkpoint's model and checks it predicts {@code classes} classes (when classes > 0)
     * and, unless it is only scored ({@code what} "judge"), that it gives input gradients.
     */
    static SegmentationModel model(Checkpoint ckpt, int classes, String what) {
        return model(ckpt, classes, what, null);
    }

    /** Like {@link #model(Checkpoint, int, String)}, on {@code device} (null: the engine's default). */
    static SegmentationModel model(Checkpoint ckpt, int classes, String what, ai.djl.Device device) {
        if (!what.equals("judge")) {
            ckpt.requireGradients("synthesis and saliency");
        }
        SegmentationModel model = ckpt.loadModel(device);
        if (classes > 0 && model.numClasses() != classes) {
            int k = model.numClasses();
            model.close();
            throw new IllegalArgumentException(what + " " + ckpt.file() + " predicts " + k + " classes but the data has " + classes);
        }
        return model;
    }

    /** An RGB image file as CHW floats; gray images are refused. */
    static SegSample rgb(Path file) {
        BufferedImage img = Images.read(file);
        int colours = img.getColorModel().getNumColorComponents();
        if (colours != 3) {
            throw new DataException(file + ": image is not RGB (" + colours + " colour channel" + (colours == 1 ? "" : "s") + ")");
        }
        int h = img.getHeight();
        int w = img.getWidth();
        return new SegSample(file.getFileName().toString(), h, w, Images.toChw(img), new int[h * w]);
    }

    /** A label-map file (palette or gray PNG) of the given size with ids 0..classes-1 or 255. */
    static int[] labels(Path file, int height, int width, int classes) {
        LabelMap map = LabelMaps.read(file);
        if (map.height() != height || map.width() != width) {
            throw new DataException(file + ": label map is " + map.width() + "x" + map.height() + " but the image is " + width + "x" + height);
        }
        for (int v : map.values()) {
            if (v != SegSample.IGNORE && (v < 0 || v >= classes)) {
                throw new DataException(file + ": class id " + v + " is unknown to the model (" + classes + " classes, 255 = ignore)");
            }
        }
        return map.values();
    }
}
