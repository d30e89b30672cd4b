package org.robustseg.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * Opens a data set stored in Cityscapes layout:
 *
 * <pre>
 * root/leftImg8bit/&lt;split&gt;/&lt;city&gt;/&lt;stem&gt;_leftImg8bit.png
 * root/gtFine/&lt;split&gt;/&lt;city&gt;/&lt;stem&gt;_gtFine_labelIds.png
 * </pre>
 *
 * The 34 Cityscapes label ids are mapped to the 19 evaluation classes (train ids); every other
 * id becomes 255 (ignore). Samples are ordered by city, then file name.
 */
public final class CityscapesLayout {
    public static final String IMAGES_DIR = "leftImg8bit";
    public static final String LABELS_DIR = "gtFine";
    private static final String IMAGE_SUFFIX = "_leftImg8bit.png";
    private static final String LABEL_SUFFIX = "_gtFine_labelIds.png";

    /** labelId -> trainId; index = labelId. */
    private static final int[] TRAIN_ID = new int[256];

    static {
        Arrays.fill(TRAIN_ID, SegSample.IGNORE);
        int[] labelIds = {7, 8, 11, 12, 13, 17, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 31, 32, 33};
        for (int trainId = 0; trainId < labelIds.length; trainId++) {
            TRAIN_ID[labelIds[trainId]] = trainId;
        }
    }

    private CityscapesLayout() {}

    /** The train id (0..18) of a Cityscapes label id, or 255 for ids not evaluated. */
    public static int trainId(int labelId) {
        return labelId >= 0 && labelId < TRAIN_ID.length ? TRAIN_ID[labelId] : SegSample.IGNORE;
    }

    public static SegDataset open(Path root, Split split) {
        if (!Files.isDirectory(root)) {
            throw new DataException(root + ": data directory not found");
        }
        Path imagesRoot = root.resolve(IMAGES_DIR).resolve(split.fileStem());
        if (!Files.isDirectory(imagesRoot)) {
            throw new DataException(imagesRoot + ": split directory not found (Cityscapes layout expects "
                    + IMAGES_DIR + "/" + split.fileStem() + "/<city>/)");
        }
        List<FileSegDataset.Entry> entries = new ArrayList<>();
        for (Path cityDir : sortedChildren(imagesRoot, Files::isDirectory)) {
            String city = cityDir.getFileName().toString();
            for (Path image : sortedChildren(cityDir, p -> p.getFileName().toString().endsWith(IMAGE_SUFFIX))) {
                String name = image.getFileName().toString();
                String stem = name.substring(0, name.length() - IMAGE_SUFFIX.length());
                Path labels = root.resolve(LABELS_DIR).resolve(split.fileStem()).resolve(city).resolve(stem + LABEL_SUFFIX);
                if (!Files.isRegularFile(labels)) {
                    throw new DataException(labels + ": label map not found for image " + image);
                }
                entries.add(new FileSegDataset.Entry(stem, image, labels));
            }
        }
        if (entries.isEmpty()) {
            throw new DataException(imagesRoot + ": no *" + IMAGE_SUFFIX + " files found");
        }
        return new FileSegDataset("cityscapes/" + split.fileStem(), entries, ClassSets.cityscapes(),
                CityscapesLayout::trainId, null);
    }

    private static List<Path> sortedChildren(Path dir, Predicate<Path> keep) {
        try (Stream<Path> children = Files.list(dir)) {
            return children.filter(keep).sorted().toList();
        } catch (IOException e) {
            throw new DataException(dir + ": cannot list directory: " + ImageCodec.oneLine(e), e);
        }
    }
}
