package org.robustseg.studio.workspace;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.robustseg.ProgressListener;
import org.robustseg.cli.options.ClassNames;
import org.robustseg.data.ClassSet;
import org.robustseg.data.DataSets;
import org.robustseg.data.SegDataset;
import org.robustseg.data.Split;
import org.robustseg.provenance.Checkpoint;
import org.robustseg.synth.ColourStatistics;

/**
 * Everything a job can name: the models (loaded once, in the order given), their common classes,
 * the validation scenes, the uploads, and the colour statistics generation draws its seeds from.
 * All models must predict the same classes, so their results can stand side by side.
 */
public final class Workspace implements AutoCloseable {
    /** The models' size when there is no data set to take it from: FashionScenes' 64×64. */
    public static final int DEFAULT_SIZE = 64;

    private final Map<String, StudioModel> models;
    private final ClassSet classes;
    private final Scenes scenes;
    private final Uploads uploads;
    private final ColourStatistics statistics;
    private final int size;

    private Workspace(Map<String, StudioModel> models, ClassSet classes, Scenes scenes, Uploads uploads, ColourStatistics statistics,
                      int size) {
        this.models = models;
        this.classes = classes;
        this.scenes = scenes;
        this.uploads = uploads;
        this.statistics = statistics;
        this.size = size;
    }

    /**
     * Loads the models and opens the data. {@code data} (may be null) gives the scenes, the class
     * names and the size; {@code statistics} (may be null) a colour-statistics file, else they are
     * fitted on the data's train split when it has one.
     */
    public static Workspace open(Map<String, Path> checkpoints, Path data, Path statistics, long maxUploadPixels, int uploadCapacity) {
        if (checkpoints.isEmpty()) {
            throw new IllegalArgumentException("no models: give --checkpoint NAME=CKPT (or run './run demo --quick' first for runs/demo)");
        }
        Map<String, Checkpoint> opened = new LinkedHashMap<>();
        checkpoints.forEach((name, path) -> opened.put(name, Checkpoint.open(path)));
        Checkpoint first = opened.values().iterator().next();
        ClassSet classes = ClassNames.of(first, data);
        for (Map.Entry<String, Checkpoint> e : opened.entrySet()) {
            int k = e.getValue().spec().numClasses();
            if (k != classes.size()) {
                throw new IllegalArgumentException("--checkpoint " + e.getKey() + "=" + e.getValue().file() + " predicts " + k + " classes but "
                        + (data != null ? "the data set " + data : "the first model") + " has " + classes.size()
                        + ": models side by side must predict the same classes");
            }
        }
        SegDataset val = data == null ? null : DataSets.open(data, Split.VAL);
        int size = val != null && val.size() > 0 ? Math.max(val.get(0).height(), val.get(0).width()) : DEFAULT_SIZE;
        ColourStatistics stats = statistics != null ? ColourStatistics.read(statistics)
                : data != null ? fit(data) : null;
        if (stats != null && stats.numClasses() != classes.size()) {
            throw new IllegalArgumentException("--statistics covers " + stats.numClasses() + " classes but the models predict " + classes.size());
        }
        Map<String, StudioModel> models = new LinkedHashMap<>();
        try {
            opened.forEach((name, ckpt) -> models.put(name, new StudioModel(name, ckpt, ckpt.loadModel())));
        } catch (RuntimeException e) {
            models.values().forEach(m -> m.model().close());
            throw e;
        }
        return new Workspace(models, classes, new Scenes(val), new Uploads(new UploadDecoder(size, maxUploadPixels), uploadCapacity), stats,
                size);
    }

    private static ColourStatistics fit(Path data) {
        SegDataset train = DataSets.open(data, Split.TRAIN);
        return train.size() == 0 ? null : ColourStatistics.fit(train, ProgressListener.NONE);
    }

    /** The model called {@code name}; a 400 lists the known names. */
    public StudioModel model(String name) {
        StudioModel m = models.get(name);
        if (m == null) {
            throw ApiException.badRequest("unknown model '" + name + "' (known: " + String.join(", ", models.keySet()) + ")");
        }
        return m;
    }

    public List<StudioModel> models() {
        return new ArrayList<>(models.values());
    }

    public ClassSet classes() {
        return classes;
    }

    /** A class by name or id; a 400 names the field and lists the names. */
    public int classId(String value, String field) {
        try {
            return ClassNames.parse(value, classes, field);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(e.getMessage());
        }
    }

    public Scenes scenes() {
        return scenes;
    }

    public Uploads uploads() {
        return uploads;
    }

    /** The colour statistics generation seeds from, or null (no --data and no --statistics). */
    public ColourStatistics statistics() {
        return statistics;
    }

    /** Side of the square images the models see (uploads are resized to it). */
    public int size() {
        return size;
    }

    @Override
    public void close() {
        models.values().forEach(m -> m.model().close());
    }
}
