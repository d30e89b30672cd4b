package org.robustseg.report;

import java.nio.file.Path;
import org.robustseg.data.ClassSet;
import org.robustseg.data.Images;
import org.robustseg.data.LabelMap;
import org.robustseg.data.LabelMaps;
import org.robustseg.data.SegSample;
import org.robustseg.synth.Hole;
import org.robustseg.synth.SynthesisResult;

/**
 * The per-image PNG files of the synthesis commands, named as the synthesis issue fixes them so
 * anyone can re-score them: {@code NNNN_original}, {@code _mask} (white = hole), {@code _masked},
 * {@code _result}, {@code _labels} (palette target) for inpainting; {@code NNNN_seed},
 * {@code _result}, {@code _labels} for generation.
 */
public final class SynthesisFiles {
    private SynthesisFiles() {}

    /** The four-digit file-name stem of image {@code index}. */
    public static String stem(int index) {
        return String.format("%04d", index);
    }

    /** A CHW float image in [0,1] as an RGB PNG. */
    public static void writeImage(Path file, float[] chw, int h, int w) {
        Images.writePng(file, Images.fromChw(chw, h, w));
    }

    /** A label map as a palette PNG. */
    public static void writeLabels(Path file, int[] labels, int h, int w, ClassSet classes) {
        LabelMaps.write(file, new LabelMap(h, w, labels), classes.palette());
    }

    /** A hole as a black-and-white PNG (white = hole). */
    public static void writeMask(Path file, Hole hole) {
        Images.writePng(file, hole.toImage());
    }

    /** The files of image {@code i} of an inpainting result, numbered {@code index}. */
    public static void writeInpainting(Path dir, int index, SegSample original, Hole hole, SynthesisResult r, int i, ClassSet classes) {
        int h = r.height();
        int w = r.width();
        String stem = stem(index);
        writeImage(dir.resolve(stem + "_original.png"), original.image(), h, w);
        writeMask(dir.resolve(stem + "_mask.png"), hole);
        writeImage(dir.resolve(stem + "_masked.png"), masked(original.image(), hole), h, w);
        writeImage(dir.resolve(stem + "_result.png"), r.image(i), h, w);
        writeLabels(dir.resolve(stem + "_labels.png"), r.target(i), h, w, classes);
    }

    /** The files of image {@code i} of a generation result, numbered {@code index}: seed, result, the requested layout. */
    public static void writeGeneration(Path dir, int index, SynthesisResult r, int i, ClassSet classes) {
        int h = r.height();
        int w = r.width();
        String stem = stem(index);
        writeImage(dir.resolve(stem + "_seed.png"), r.startImage(i), h, w);
        writeImage(dir.resolve(stem + "_result.png"), r.image(i), h, w);
        writeLabels(dir.resolve(stem + "_labels.png"), r.target(i), h, w, classes);
    }

    /** The image with the hole painted mid-grey, as a person sees "masked". */
    public static float[] masked(float[] chw, Hole hole) {
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
}
