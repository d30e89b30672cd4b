package org.robustseg.data;

import org.robustseg.io.AtomicFiles;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code dataset.json} at the root of a VOC-layout data set: its identity (name, content
 * hashes), classes and palette, and for generated data the recipe (generator, version, seed,
 * sources). It is written last, so its presence means every file it describes is complete.
 *
 * <p>Content hashes are SHA-256 (hex) over, for each id in split-file order, the bytes of the
 * image file followed by the bytes of the label file; the data set's hash runs over the splits
 * in the order train, val, test.
 *
 * @param palette RGB per class as [r, g, b]
 * @param splits per split file stem ("train", "val", "test"): its count and content hash
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DatasetManifest(
        String name,
        String generator,
        Integer generatorVersion,
        Long seed,
        Integer height,
        Integer width,
        List<String> classes,
        List<int[]> palette,
        Map<String, SplitInfo> splits,
        String contentHash,
        List<SourceFile> sourceFiles) {

    public static final String FILE_NAME = "dataset.json";

    /** One split's size and content hash. */
    public record SplitInfo(int count, String contentHash) {}

    /** An input the data set was generated from, with its SHA-256. */
    public record SourceFile(String path, String sha256) {}

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** The class set the manifest declares, or empty when it names no classes. */
    public Optional<ClassSet> classSet() {
        if (classes == null || classes.isEmpty()) {
            return Optional.empty();
        }
        int[] rgb = new int[classes.size()];
        for (int i = 0; i < rgb.length; i++) {
            if (palette != null && i < palette.size() && palette.get(i).length == 3) {
                int[] c = palette.get(i);
                rgb[i] = (c[0] << 16) | (c[1] << 8) | c[2];
            } else {
                rgb[i] = ClassSets.vocPalette()[i];
            }
        }
        return Optional.of(new ClassSet(classes, rgb));
    }

    /** Palette entries as [r, g, b] lists, the form dataset.json stores. */
    public static List<int[]> rgbTriples(ClassSet classes) {
        List<int[]> out = new ArrayList<>();
        for (int i = 0; i < classes.size(); i++) {
            int c = classes.palette()[i];
            out.add(new int[] {(c >> 16) & 0xFF, (c >> 8) & 0xFF, c & 0xFF});
        }
        return out;
    }

    /** Reads {@code root/dataset.json} if there is one; a malformed file is an error naming it. */
    public static Optional<DatasetManifest> readIfPresent(Path root) {
        Path file = root.resolve(FILE_NAME);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(JSON.readValue(file.toFile(), DatasetManifest.class));
        } catch (IOException e) {
            throw new DataException(file + ": unreadable data set manifest: " + ImageCodec.oneLine(e), e);
        }
    }

    /** Writes {@code root/dataset.json} atomically (temporary file, then rename). */
    public void write(Path root) {
        try {
            AtomicFiles.write(root.resolve(FILE_NAME), (JSON.writeValueAsString(this) + "\n").getBytes(StandardCharsets.UTF_8));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise data set manifest", e);
        }
    }
}
