package org.robustseg.cli.synthesis;

import org.robustseg.cli.ConsoleProgress;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.robustseg.data.ClassSet;
import org.robustseg.data.DataException;
import org.robustseg.data.DataSets;
import org.robustseg.data.FashionScenes;
import org.robustseg.data.Images;
import org.robustseg.data.LabelMap;
import org.robustseg.data.LabelMaps;
import org.robustseg.data.SegDataset;
import org.robustseg.data.SegSample;
import org.robustseg.data.Split;
import org.robustseg.model.SegmentationModel;
import org.robustseg.provenance.Checkpoint;
import org.robustseg.provenance.Json;
import org.robustseg.synth.Hole;
import org.robustseg.synth.SynthesisResult;

/** What the synthesis commands (inpaint, generate, edit, pag) share: input checks and the per-image files. */
public final class SynthSupport {
    private SynthSupport() {}

    /** Loads a checkpoint's model and checks it predicts {@code classes} classes (when classes > 0). */
    static SegmentationModel load(Checkpoint ckpt, int classes, String what) {
        SegmentationModel model = ckpt.loadModel();
        if (classes > 0 && model.numClasses() != classes) {
            int k = model.numClasses();
            model.close();
            throw new IllegalArgumentException(what + " " + ckpt.file() + " predicts " + k + " classes but the data has " + classes);
        }
        return model;
    }

    /** The class names and palette: the data set's when given, FashionScenes' for an 11-class FashionScenes checkpoint, else ids. */
    static ClassSet classes(Checkpoint ckpt, Path data) {
        if (data != null) {
            return DataSets.open(data, Split.VAL).classes();
        }
        int k = ckpt.spec().numClasses();
        String trainedOn = ckpt.meta().path("provenance").path("datasets").path("train").path("name").asText("");
        if (k == FashionScenes.classes().size() && trainedOn.startsWith(FashionScenes.NAME)) {
            return FashionScenes.classes();
        }
        List<String> names = new ArrayList<>();
        for (int c = 0; c < k; c++) {
            names.add("class " + c);
        }
        int[] palette = org.robustseg.data.ClassSets.vocPalette();
        return new ClassSet(names, java.util.Arrays.copyOf(palette, Math.max(k, 1)));
    }

    /** A class given by id or by name (case-insensitive); the error lists the names. */
    static int parseClass(String value, ClassSet classes, String option) {
        String v = value == null ? "" : value.trim();
        try {
            int id = Integer.parseInt(v);
            if (id < 0 || id >= classes.size()) {
                throw new IllegalArgumentException(option + " " + id + " is not a class id (0.." + (classes.size() - 1) + ")");
            }
            return id;
        } catch (NumberFormatException notANumber) {
            List<String> names = classes.names();
            for (int c = 0; c < names.size(); c++) {
                if (names.get(c).equalsIgnoreCase(v)) {
                    return c;
                }
            }
            for (int c = 0; c < names.size(); c++) { // "shirt" also finds "t-shirt/top" only if nothing matches exactly
                for (String part : names.get(c).toLowerCase(Locale.ROOT).split("/")) {
                    if (part.equals(v.toLowerCase(Locale.ROOT))) {
                        return c;
                    }
                }
            }
            throw new IllegalArgumentException(option + ": unknown class '" + value + "' (known: " + String.join(", ", names) + ")");
        }
    }

    /** An RGB image file as CHW floats; gray images are refused. */
    static SegSample readRgb(Path file) {
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
    static int[] readLabels(Path file, int height, int width, int classes) {
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

    /** x,y,w,h. */
    static int[] parseBox(String box) {
        String[] p = box.split(",");
        if (p.length != 4) {
            throw new IllegalArgumentException("--box must be x,y,w,h, got '" + box + "'");
        }
        int[] v = new int[4];
        try {
            for (int i = 0; i < 4; i++) {
                v[i] = Integer.parseInt(p[i].trim());
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--box must be four integers x,y,w,h, got '" + box + "'");
        }
        return v;
    }

    static String stem(int index) {
        return String.format("%04d", index);
    }

    static void writeImage(Path file, float[] chw, int h, int w) {
        Images.writePng(file, Images.fromChw(chw, h, w));
    }

    static void writeLabels(Path file, int[] labels, int h, int w, ClassSet classes) {
        LabelMaps.write(file, new LabelMap(h, w, labels), classes.palette());
    }

    static void writeMask(Path file, Hole hole) {
        Images.writePng(file, hole.toImage());
    }

    /** Refuses a --label list that does not give one name per --checkpoint (null: no labels given). */
    static void checkLabels(int checkpoints, List<String> labels) {
        if (labels != null && labels.size() != checkpoints) {
            throw new IllegalArgumentException("give one --label per --checkpoint (" + checkpoints + " checkpoints, "
                    + labels.size() + " labels)");
        }
    }

    /** The name of checkpoint {@code c}: its --label if given, else {@link Checkpoint#label()}. */
    static String name(Checkpoint ckpt, List<String> labels, int c) {
        return labels != null ? labels.get(c) : ckpt.label();
    }

    /**
     * The per-image files of one inpainting, named as the synthesis issue fixes them so anyone can
     * re-score them: NNNN_original, _mask (white = hole), _masked, _result, _labels (palette target).
     */
    static void writeInpaintingFiles(Path dir, int index, SegSample original, Hole hole, SynthesisResult r, int i, ClassSet classes) {
        int h = r.height();
        int w = r.width();
        String stem = stem(index);
        writeImage(dir.resolve(stem + "_original.png"), original.image(), h, w);
        writeMask(dir.resolve(stem + "_mask.png"), hole);
        writeImage(dir.resolve(stem + "_masked.png"), masked(original.image(), hole), h, w);
        writeImage(dir.resolve(stem + "_result.png"), r.image(i), h, w);
        writeLabels(dir.resolve(stem + "_labels.png"), r.target(i), h, w, classes);
    }

    /** The per-image files of one generation: NNNN_seed, _result, _labels (the requested layout). */
    static void writeGenerationFiles(Path dir, int index, SynthesisResult r, int i, ClassSet classes) {
        int h = r.height();
        int w = r.width();
        String stem = stem(index);
        writeImage(dir.resolve(stem + "_seed.png"), r.startImage(i), h, w);
        writeImage(dir.resolve(stem + "_result.png"), r.image(i), h, w);
        writeLabels(dir.resolve(stem + "_labels.png"), r.target(i), h, w, classes);
    }

    /** The image with the hole painted mid-grey, as a person sees "masked". */
    static float[] masked(float[] chw, Hole hole) {
        float[] out = chw.clone();
        boolean[] in = hole.pixels();
        int plane = in.length;
        for (int c = 0; c < 3; c++) {
            for (int p = 0; p < plane; p++) {
                if (in[p]) {
                    out[c * plane + p] = 0.5f;
                }
            }
        }
        return out;
    }

    /** Mean of the finite values (NaN when none). */
    static double mean(double[] v) {
        double s = 0;
        int n = 0;
        for (double x : v) {
            if (Double.isFinite(x)) {
                s += x;
                n++;
            }
        }
        return n == 0 ? Double.NaN : s / n;
    }

    static void putNumber(ObjectNode o, String key, double v) {
        if (Double.isNaN(v)) {
            o.putNull(key);
        } else if (Double.isInfinite(v)) {
            o.put(key, v > 0 ? "inf" : "-inf");
        } else {
            o.put(key, v);
        }
    }

    static ArrayNode array() {
        return Json.MAPPER.createArrayNode();
    }

    /** The per-image figures common to all synthesis results. */
    static ObjectNode imageEntry(SynthesisResult r, int i, String id, int background) {
        ObjectNode e = Json.object();
        e.put("id", id);
        e.put("loss_before", r.lossBefore()[i]);
        e.put("loss_after", r.lossAfter()[i]);
        putNumber(e, "self_accuracy", r.selfAccuracy(false, background)[i]);
        putNumber(e, "self_accuracy_objects", r.selfAccuracy(true, background)[i]);
        return e;
    }

    /**
     * The colour statistics for generation: read from {@code file} when given, else fitted on the
     * train split of {@code data} and written to {@code out}/colour-statistics.json with provenance
     * (reused from there when it was fitted on the same data).
     */
    static org.robustseg.synth.ColourStatistics statistics(Path file, Path data, Path out) {
        if (file != null) {
            return org.robustseg.synth.ColourStatistics.read(file);
        }
        if (data == null) {
            throw new IllegalArgumentException("generation needs --statistics FILE or --data DIR (its train split is fitted)");
        }
        SegDataset train = DataSets.open(data, Split.TRAIN);
        Path cached = out.resolve("colour-statistics.json");
        if (java.nio.file.Files.exists(cached)) {
            org.robustseg.synth.ColourStatistics s = org.robustseg.synth.ColourStatistics.read(cached);
            if (s.contentHash().equals(train.contentHash())) {
                return s;
            }
        }
        org.robustseg.synth.ColourStatistics s = org.robustseg.synth.ColourStatistics.fit(train, ConsoleProgress.stderr());
        s.write(cached, org.robustseg.provenance.Provenance.of("colour-statistics")
                .dataset("fit", train.name(), train.size(), train.contentHash()).toJson());
        return s;
    }
}
