package org.robustseg.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.IntUnaryOperator;

/**
 * Opens a data set stored in Pascal-VOC layout:
 *
 * <pre>
 * root/ImageSets/Segmentation/&lt;split&gt;.txt   one id per line
 * root/JPEGImages/&lt;id&gt;.jpg or .png           (or root/images/)
 * root/SegmentationClass/&lt;id&gt;.png           palette or grayscale PNG of class ids, 255 = ignore
 * root/dataset.json                         optional: classes, palette, content hashes
 * </pre>
 *
 * Without a dataset.json the data is taken to be Pascal VOC 2012 (21 classes). Every listed file
 * is checked to exist when the data set is opened; decoding errors surface in {@code get}.
 */
public final class VocLayout {
    public static final String IMAGES_DIR = "JPEGImages";
    public static final String ALT_IMAGES_DIR = "images";
    public static final String LABELS_DIR = "SegmentationClass";
    public static final String SPLITS_DIR = "ImageSets/Segmentation";
    private static final List<String> IMAGE_EXTENSIONS = List.of(".jpg", ".png", ".jpeg");

    private VocLayout() {}

    public static SegDataset open(Path root, Split split) {
        if (!Files.isDirectory(root)) {
            throw new DataException(root + ": data directory not found");
        }
        Path splitFile = root.resolve(SPLITS_DIR).resolve(split.fileStem() + ".txt");
        if (!Files.isRegularFile(splitFile)) {
            throw new DataException(splitFile + ": split file not found (VOC layout expects "
                    + SPLITS_DIR + "/" + split.fileStem() + ".txt)");
        }
        List<FileSegDataset.Entry> entries = new ArrayList<>();
        for (String id : readIds(splitFile)) {
            Path labels = root.resolve(LABELS_DIR).resolve(id + ".png");
            if (!Files.isRegularFile(labels)) {
                throw new DataException(labels + ": label map not found for id '" + id + "' listed in " + splitFile);
            }
            entries.add(new FileSegDataset.Entry(id, findImage(root, id, splitFile), labels));
        }
        Optional<DatasetManifest> manifest = DatasetManifest.readIfPresent(root);
        ClassSet classes = manifest.flatMap(DatasetManifest::classSet).orElseGet(ClassSets::pascalVoc);
        String name = manifest.map(DatasetManifest::name).orElse(String.valueOf(root.toAbsolutePath().normalize().getFileName()))
                + "/" + split.fileStem();
        // Trust the manifest's hash only if it describes this very list of ids.
        String knownHash = manifest.map(DatasetManifest::splits)
                .map(s -> s.get(split.fileStem()))
                .filter(info -> info.count() == entries.size())
                .map(DatasetManifest.SplitInfo::contentHash)
                .orElse(null);
        return new FileSegDataset(name, entries, classes, IntUnaryOperator.identity(), knownHash);
    }

    private static List<String> readIds(Path splitFile) {
        List<String> ids = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(splitFile, StandardCharsets.UTF_8)) {
                String trimmed = line.strip();
                if (!trimmed.isEmpty()) {
                    ids.add(trimmed.split("\\s+")[0]); // some VOC-style lists append a second column
                }
            }
        } catch (IOException e) {
            throw new DataException(splitFile + ": cannot read split file: " + ImageCodec.oneLine(e), e);
        }
        return ids;
    }

    private static Path findImage(Path root, String id, Path splitFile) {
        for (String dir : List.of(IMAGES_DIR, ALT_IMAGES_DIR)) {
            for (String ext : IMAGE_EXTENSIONS) {
                Path candidate = root.resolve(dir).resolve(id + ext);
                if (Files.isRegularFile(candidate)) {
                    return candidate;
                }
            }
        }
        throw new DataException(root.resolve(IMAGES_DIR).resolve(id + ".jpg") + ": image not found (nor .png, nor under "
                + ALT_IMAGES_DIR + "/) for id '" + id + "' listed in " + splitFile);
    }
}
